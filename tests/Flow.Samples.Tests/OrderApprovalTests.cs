using Flow.Swf;
using OrderApproval;

namespace Flow.Samples.Tests;

/// <summary>The order-approval sample: a signal before the deadline ships the order through a child workflow;
/// no signal lets the deadline timer cancel it.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class OrderApprovalTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    private static async Task<(LocalService Service, ActivityWorker Activities, WorkflowWorker Decider, OrderApprovalClient Client)> StartAsync(Warehouse warehouse)
    {
        var service = new LocalService();
        await service.RegisterDomainAsync(OrderApprovalWorkers.Domain);
        var (activities, decider) = OrderApprovalWorkers.Create(service.Swf, warehouse);
        await activities.StartAsync();
        await decider.StartAsync();
        return (service, activities, decider, new OrderApprovalClient(service.Client(OrderApprovalWorkers.Domain)));
    }

    [Test]
    public async Task An_order_approved_by_signal_before_its_deadline_cancels_the_timer_and_ships_through_a_child_workflow()
    {
        var warehouse = new Warehouse();
        var (service, activities, decider, client) = await StartAsync(warehouse);
        try
        {
            var run = await client.StartAsync("order-approved", new Order("order-approved", "kettle", 1, "1 Harbour St", ApprovalDeadlineSeconds: 600));
            await Waiting.UntilAsync(async () => (await run.GetStateAsync())?.State == OrderState.AwaitingApproval, RunTimeout, "the order to await approval");

            await run.ApproveAsync("alice");
            var outcome = await run.GetResultAsync(new CancellationTokenSource(RunTimeout).Token);

            Assert.That(outcome.State, Is.EqualTo(OrderState.Shipped));
            Assert.That(outcome.ApprovedBy, Is.EqualTo("alice"));
            Assert.That(outcome.TrackingNumber, Does.StartWith("TRK-"));
            Assert.That(warehouse.Dispatched, Has.Count.EqualTo(1));
            Assert.That(warehouse.Released, Is.Empty);
            Assert.That(warehouse.Reservations, Is.Empty, "the shipped order holds no stock");

            var history = await client.Client.GetHistoryAsync(run.Execution);
            var types = history.Select(e => e.EventType).ToList();
            Assert.That(types, Does.Contain(EventType.WorkflowExecutionSignaled));
            Assert.That(types, Does.Contain(EventType.TimerCanceled));
            Assert.That(types, Does.Not.Contain(EventType.TimerFired));
            var child = history.Single(e => e.EventType == EventType.ChildWorkflowExecutionCompleted).ChildWorkflowExecutionCompletedEventAttributes!;
            Assert.That(child.WorkflowExecution.WorkflowId, Is.EqualTo("order-approved-shipping"));
            Assert.That(child.WorkflowType.Name, Is.EqualTo(ShippingDispatch.Definition.Name));
        }
        finally
        {
            await decider.StopAsync();
            await activities.StopAsync();
            service.Dispose();
        }
    }

    [Test]
    public async Task An_order_nobody_approves_is_canceled_when_its_deadline_timer_fires_and_its_stock_is_released()
    {
        var warehouse = new Warehouse();
        var (service, activities, decider, client) = await StartAsync(warehouse);
        try
        {
            var run = await client.StartAsync("order-forgotten", new Order("order-forgotten", "grinder", 2, "9 Mill Lane", ApprovalDeadlineSeconds: 1));

            var outcome = await run.GetResultAsync(new CancellationTokenSource(RunTimeout).Token);

            Assert.That(outcome.State, Is.EqualTo(OrderState.Canceled));
            Assert.That(outcome.TrackingNumber, Is.Null);
            Assert.That(warehouse.Released, Has.Count.EqualTo(1));
            Assert.That(warehouse.Reservations, Is.Empty);
            Assert.That(warehouse.Dispatched, Is.Empty);
            var types = (await client.Client.GetHistoryAsync(run.Execution)).Select(e => e.EventType).ToList();
            Assert.That(types, Does.Contain(EventType.TimerFired));
            Assert.That(types, Does.Not.Contain(EventType.StartChildWorkflowExecutionInitiated));
            Assert.That((await run.GetStateAsync())?.State, Is.EqualTo(OrderState.Canceled));
        }
        finally
        {
            await decider.StopAsync();
            await activities.StopAsync();
            service.Dispose();
        }
    }
}
