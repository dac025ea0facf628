using System.Globalization;
using Flow;
using Flow.Local;
using Flow.Swf;
using OrderApproval;

// dotnet run --project samples/OrderApproval
// Two orders on the embedded local service (in memory): one is approved by a signal and ships through a child
// workflow; the other waits past its deadline timer and is canceled.
if (args.Length > 0)
{
    if (args is ["--help"] or ["-h"])
    {
        Console.WriteLine("usage: OrderApproval (no options: it runs two orders on the embedded local service and prints their histories)");
        return 0;
    }
    Console.Error.WriteLine($"error: OrderApproval takes no arguments, not {args[0]}");
    return 2;
}
using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
var interrupted = false;
Console.CancelKeyPress += (_, e) => { e.Cancel = true; interrupted = true; stop.Cancel(); };

using var local = new LocalSwf(new LocalSwfOptions { LongPollHold = TimeSpan.FromSeconds(2) });
var swf = new LocalSwfClient(local);
Console.WriteLine("Flow order-approval sample on embedded local SWF (in memory)");
await new FlowRegistration(swf, OrderApprovalWorkers.Domain).RegisterDomainAsync(retentionDays: 1, "Flow samples", stop.Token);

var warehouse = new Warehouse();
var (activityWorker, decider) = OrderApprovalWorkers.Create(swf, warehouse);
await activityWorker.StartAsync(stop.Token);
await decider.StartAsync(stop.Token);
try
{
    return await RunAsync();
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine(interrupted ? "stopped (Ctrl-C)" : "error: the orders did not close within 2 minutes");
    return interrupted ? 130 : 1;
}
finally
{
    await decider.StopAsync();
    await activityWorker.StopAsync();
}

async Task<int> RunAsync()
{
    var orders = new OrderApprovalClient(new WorkflowClient(swf, OrderApprovalWorkers.Domain));
    var approved = await orders.StartAsync("order-1001", new Order("order-1001", "espresso machine", 1, "1 Harbour St", ApprovalDeadlineSeconds: 60), cancellationToken: stop.Token);
    var forgotten = await orders.StartAsync("order-1002", new Order("order-1002", "coffee grinder", 2, "9 Mill Lane", ApprovalDeadlineSeconds: 3), cancellationToken: stop.Token);
    Console.WriteLine($"Started {approved.WorkflowId} (deadline 60 s) and {forgotten.WorkflowId} (deadline 3 s)");

    // Approve the first order once it is waiting, as a person would: a signal from outside the workflow.
    while ((await approved.GetStateAsync(stop.Token))?.State != OrderState.AwaitingApproval)
        await Task.Delay(50, stop.Token);
    Console.WriteLine($"  {approved.WorkflowId} is awaiting approval; sending the Approve signal (approver alice)");
    await approved.ApproveAsync("alice", stop.Token);

    foreach (var run in new[] { approved, forgotten })
    {
        OrderOutcome outcome;
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stop.Token))
        {
            wait.CancelAfter(TimeSpan.FromSeconds(30));
            try
            {
                outcome = await run.GetResultAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine($"{run.WorkflowId} did not close within 30 s");
                await PrintHistoryAsync(orders.Client, run.Execution, CancellationToken.None, all: true);
                return 1;
            }
        }
        Console.WriteLine();
        Console.WriteLine(outcome.State == OrderState.Shipped
            ? $"{outcome.OrderId}: shipped, approved by {outcome.ApprovedBy}, tracking {outcome.TrackingNumber} ({outcome.Detail})"
            : $"{outcome.OrderId}: canceled, {outcome.Detail}");
        await PrintHistoryAsync(orders.Client, run.Execution, stop.Token);
        if (outcome.State == OrderState.Shipped)
        {
            var child = (await orders.Client.GetHistoryAsync(run.Execution, stop.Token))
                .Select(e => e.ChildWorkflowExecutionCompletedEventAttributes?.WorkflowExecution).FirstOrDefault(x => x is not null);
            if (child is not null)
                await PrintHistoryAsync(orders.Client, child, stop.Token);
        }
    }
    Console.WriteLine();
    Console.WriteLine($"Warehouse: dispatched {string.Join(", ", warehouse.Dispatched)}; released {string.Join(", ", warehouse.Released)}; still held {warehouse.Reservations.Count}");
    return 0;
}

static async Task PrintHistoryAsync(WorkflowClient client, WorkflowExecution execution, CancellationToken cancellationToken, bool all = false)
{
    var history = await client.GetHistoryAsync(execution, cancellationToken);
    Console.WriteLine($"  history of {execution.WorkflowId} ({history.Count} events)");
    var start = history[0].EventTimestamp;
    foreach (var e in history.Where(e => all || e.EventType is not (EventType.DecisionTaskScheduled or EventType.DecisionTaskStarted or EventType.DecisionTaskCompleted)))
        Console.WriteLine($"    {e.EventId,3}  +{(e.EventTimestamp - start).TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture),6}s  {e.EventType}{Detail(e)}");
}

static string Detail(HistoryEvent e) => e.EventType switch
{
    EventType.ActivityTaskScheduled => $" {e.ActivityTaskScheduledEventAttributes!.ActivityType.Name}",
    EventType.TimerStarted => $" {e.TimerStartedEventAttributes!.TimerId} ({e.TimerStartedEventAttributes.StartToFireTimeout} s)",
    EventType.WorkflowExecutionSignaled => $" {e.WorkflowExecutionSignaledEventAttributes!.SignalName}",
    EventType.StartChildWorkflowExecutionInitiated => $" {e.StartChildWorkflowExecutionInitiatedEventAttributes!.WorkflowId}",
    EventType.DecisionTaskTimedOut => $" {e.DecisionTaskTimedOutEventAttributes!.TimeoutType}",
    EventType.ActivityTaskFailed => $" {e.ActivityTaskFailedEventAttributes!.Reason}",
    EventType.WorkflowExecutionFailed => $" {e.WorkflowExecutionFailedEventAttributes!.Reason}",
    _ => "",
};
