using Flow;

namespace OrderApproval;

/// <summary>The order's decider: deterministic code on Flow's scheduler; the world is reached through
/// activities, time through durable timers, people through signals.</summary>
public sealed class OrderApprovalWorkflow : IOrderApproval
{
    // Completed by the Approve signal; the first approver wins.
    private readonly TaskCompletionSource<string> _approval = new();

    public OrderStatus Status { get; private set; } = new(OrderState.Reserving, null);

    public async Task<OrderOutcome> RunAsync(Order order)
    {
        var activities = new OrderActivitiesClient();
        var reservation = await activities.ReserveStockAsync(order);

        // Wait for the approval signal or the deadline timer, whichever comes first. Cancelling the deadline
        // sends CancelTimer, so an approved order leaves no timer behind.
        Status = new OrderStatus(OrderState.AwaitingApproval, $"deadline in {order.ApprovalDeadlineSeconds} s");
        using var deadline = new CancellationTokenSource();
        var timer = Workflow.DelayAsync(TimeSpan.FromSeconds(order.ApprovalDeadlineSeconds), deadline.Token);
        if (await Task.WhenAny(_approval.Task, timer) == timer)
        {
            deadline.Cancel();
            Status = new OrderStatus(OrderState.Releasing, "no approval before the deadline");
            await activities.ReleaseStockAsync(reservation);
            Status = new OrderStatus(OrderState.Canceled, "no approval before the deadline");
            return new OrderOutcome(order.OrderId, OrderState.Canceled,
                $"not approved within {order.ApprovalDeadlineSeconds} s; reservation {reservation} released");
        }
        deadline.Cancel();
        var approver = await _approval.Task;

        Status = new OrderStatus(OrderState.Shipping, $"approved by {approver}");
        var shipment = await new ShippingChildClient(new ChildWorkflowOptions { WorkflowId = $"{order.OrderId}-shipping" })
            .RunAsync(order, reservation);
        Status = new OrderStatus(OrderState.Shipped, shipment.TrackingNumber);
        return new OrderOutcome(order.OrderId, OrderState.Shipped, $"parcel {shipment.Parcel}", approver, shipment.TrackingNumber);
    }

    public Task ApproveAsync(string approver)
    {
        _approval.TrySetResult(approver);
        return Task.CompletedTask;
    }
}

/// <summary>The child: pack, then dispatch.</summary>
public sealed class ShippingWorkflow : IShipping
{
    public async Task<Shipment> RunAsync(Order order, string reservation)
    {
        var activities = new OrderActivitiesClient();
        var parcel = await activities.PackAsync(order, reservation);
        var tracking = await activities.DispatchAsync(parcel, order.Address);
        return new Shipment(parcel, tracking);
    }
}
