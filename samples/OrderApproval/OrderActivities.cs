using System.Collections.Concurrent;
using System.Globalization;
using Flow;
using Flow.Swf;

namespace OrderApproval;

/// <summary>A stand-in for the warehouse and the carrier: it records what happened so the demo and the tests
/// can check it (every reservation is either shipped or released).</summary>
public sealed class Warehouse
{
    private int _next;

    public ConcurrentDictionary<string, string> Reservations { get; } = new();
    public ConcurrentBag<string> Released { get; } = [];
    public ConcurrentBag<string> Dispatched { get; } = [];

    internal string NextId(string prefix) => $"{prefix}-{Interlocked.Increment(ref _next).ToString("D4", CultureInfo.InvariantCulture)}";
}

public sealed class OrderActivities(Warehouse warehouse) : IOrderActivities
{
    public Task<string> ReserveStockAsync(Order order)
    {
        var reservation = warehouse.NextId("R");
        warehouse.Reservations[reservation] = $"{order.Quantity} x {order.Item} for {order.OrderId}";
        return Task.FromResult(reservation);
    }

    public Task ReleaseStockAsync(string reservation)
    {
        if (warehouse.Reservations.TryRemove(reservation, out _))
            warehouse.Released.Add(reservation);
        return Task.CompletedTask;
    }

    /// <summary>The reserved items leave the stock for a parcel; packing again (a retry) packs the same parcel.</summary>
    public Task<string> PackAsync(Order order, string reservation)
    {
        warehouse.Reservations.TryRemove(reservation, out _);
        return Task.FromResult($"{reservation}/P1");
    }

    public Task<string> DispatchAsync(string parcel, string address)
    {
        warehouse.Dispatched.Add(parcel);
        return Task.FromResult(warehouse.NextId("TRK"));
    }
}

/// <summary>The sample's workers, as any host starts them: one activity worker, one decider for both workflows.</summary>
public static class OrderApprovalWorkers
{
    public const string Domain = "flow-samples";

    public static (ActivityWorker Activities, WorkflowWorker Decider) Create(ISwfClient swf, Warehouse warehouse, string domain = Domain)
    {
        var activities = new ActivityWorker(swf, new ActivityWorkerOptions { Domain = domain, Pollers = 2 },
            OrderActivitiesDispatch.CreateHandlers(() => new OrderActivities(warehouse)));
        var decider = new WorkflowWorker(swf, new WorkflowWorkerOptions { Domain = domain, Pollers = 2 },
        [
            OrderApprovalDispatch.CreateHandler(() => new OrderApprovalWorkflow()),
            ShippingDispatch.CreateHandler(() => new ShippingWorkflow()),
        ]);
        return (activities, decider);
    }
}
