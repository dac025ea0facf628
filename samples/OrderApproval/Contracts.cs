using Flow;

namespace OrderApproval;

/// <summary>An order waits for a person's approval, but not forever: a durable timer sets the deadline.
/// Approved in time, it ships through a child workflow; otherwise the order is canceled and its stock released.</summary>
[Workflow(Version = "1.0", TaskList = "orders-decisions",
    ExecutionStartToClose = "01:00:00", TaskStartToClose = "00:00:30", ChildPolicy = "TERMINATE")]
public partial interface IOrderApproval
{
    [Execute]
    Task<OrderOutcome> RunAsync(Order order);

    [Signal]
    Task ApproveAsync(string approver);

    [GetState]
    OrderStatus Status { get; }
}

/// <summary>Shipping is its own workflow, run as a child of the order: it has its own history and could be
/// started on its own.</summary>
[Workflow(Version = "1.0", TaskList = "orders-decisions",
    ExecutionStartToClose = "00:30:00", TaskStartToClose = "00:00:30", ChildPolicy = "TERMINATE")]
public partial interface IShipping
{
    [Execute]
    Task<Shipment> RunAsync(Order order, string reservation);
}

[Activities(Version = "1.0", TaskList = "orders",
    ScheduleToStart = "00:05:00", StartToClose = "00:01:00", ScheduleToClose = "00:06:00", Heartbeat = "NONE")]
public partial interface IOrderActivities
{
    /// <summary>Holds the items while the order waits; returns the reservation id.</summary>
    Task<string> ReserveStockAsync(Order order);

    Task ReleaseStockAsync(string reservation);

    Task<string> PackAsync(Order order, string reservation);

    /// <summary>Hands the parcel to the carrier; returns its tracking number.</summary>
    Task<string> DispatchAsync(string parcel, string address);
}

public sealed record Order(string OrderId, string Item, int Quantity, string Address, int ApprovalDeadlineSeconds);

public sealed record Shipment(string Parcel, string TrackingNumber);

/// <summary>How the order ended: shipped (with who approved it and the tracking number) or canceled.</summary>
public sealed record OrderOutcome(string OrderId, OrderState State, string Detail, string? ApprovedBy = null, string? TrackingNumber = null);

public enum OrderState { Reserving, AwaitingApproval, Shipping, Shipped, Releasing, Canceled }

public sealed record OrderStatus(OrderState State, string? Detail);
