using Flow.Swf;
using static Flow.Conformance.Tests.Sandbox;

namespace Flow.Conformance.Tests;

/// <summary>Signals, termination, cancel requests and task tokens from outside the decider.</summary>
public sealed class ExecutionTests
{
    private static async Task<string> FaultOf(Func<Task> call)
    {
        try
        {
            await call();
            return "none";
        }
        catch (SwfException e)
        {
            return e.ErrorCode;
        }
    }

    [Test]
    public async Task A_signal_with_input_is_recorded_and_schedules_a_decision_the_same_way()
    {
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            var run = await s.StartAsync("order");
            await s.DecideAsync();
            await s.SignalAsync("order", "approve", "yes");
            await s.DecideAsync(Complete());
            return await s.NormalizedHistoryAsync(run);
        });

        Both.AssertSameHistory(moto, dev);
        Assert.That(dev[4], Does.Contain("WorkflowExecutionSignaled").And.Contain("approve"));
    }

    [Test]
    public async Task A_signal_without_input_is_recorded_on_flow_dev_and_is_a_server_error_on_moto()
    {
        // API reference, SignalWorkflowExecution: input is optional ("Required: No"). moto reads it as
        // required and answers a 500.
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            var run = await s.StartAsync("order");
            string fault = await FaultOf(() => s.SignalAsync("order", "ping", input: null));
            return (fault, await s.WireEventTypesAsync(run));
        });

        Assert.That(dev.fault, Is.EqualTo("none"));
        Assert.That(dev.Item2[^1], Is.EqualTo("WorkflowExecutionSignaled"));
        Assert.That(moto.fault, Does.StartWith("HttpStatus5"), "moto (observed)");
    }

    [Test]
    public async Task Signaling_an_unknown_or_closed_execution_is_an_UnknownResourceFault_on_both()
    {
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            var run = await s.StartAsync("order");
            await s.Client.TerminateWorkflowExecutionAsync(new TerminateWorkflowExecutionInput { Domain = s.Domain, WorkflowId = "order" });
            return string.Join(" ", await FaultOf(() => s.SignalAsync("nobody", "x")), await FaultOf(() => s.SignalAsync("order", "x")));
        });

        Assert.That(dev, Is.EqualTo(moto));
        Assert.That(dev, Is.EqualTo("UnknownResourceFault UnknownResourceFault"));
    }

    [Test]
    public async Task Termination_closes_the_execution_with_the_same_history_and_status()
    {
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            var run = await s.StartAsync("order");
            await s.Client.TerminateWorkflowExecutionAsync(new TerminateWorkflowExecutionInput
            {
                Domain = s.Domain, WorkflowId = "order", Reason = "customer left", Details = "called",
            });
            var detail = await s.DescribeAsync(run);
            var terminated = (await s.HistoryAsync(run))[^1].WorkflowExecutionTerminatedEventAttributes;
            return (detail.ExecutionInfo.CloseStatus, terminated?.Cause, await s.NormalizedHistoryAsync(run, "cause"));
        });

        Assert.That((moto.CloseStatus, dev.CloseStatus), Is.EqualTo((CloseStatus.Terminated, CloseStatus.Terminated)));
        Both.AssertSameHistory(moto.Item3, dev.Item3);
        Assert.That(dev.Item3[^1], Does.Contain("WorkflowExecutionTerminated").And.Contain("customer left"));
        // API reference, WorkflowExecutionTerminatedEventAttributes.cause: "If set, indicates that the workflow
        // execution was automatically terminated" (by a child policy or the event limit). An operator's
        // TerminateWorkflowExecution is not automatic: flow dev leaves cause out; moto writes OPERATOR_INITIATED.
        Assert.That(dev.Cause, Is.Null);
        Assert.That(moto.Cause, Is.EqualTo(WorkflowExecutionTerminatedCause.OperatorInitiated), "moto (observed)");
    }

    [Test]
    public async Task A_cancel_request_is_recorded_for_the_decider_on_flow_dev_and_is_a_server_error_on_moto()
    {
        // API reference, RequestCancelWorkflowExecution: records WorkflowExecutionCancelRequested and schedules a
        // decision task; the decider closes with CancelWorkflowExecution. moto lacks the operation.
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            var run = await s.StartAsync("order");
            await s.DecideAsync();
            string fault = await FaultOf(() => s.Client.RequestCancelWorkflowExecutionAsync(
                new RequestCancelWorkflowExecutionInput { Domain = s.Domain, WorkflowId = "order" }));
            if (fault != "none")
                return fault;
            var task = await s.DecisionAsync();
            await s.RespondAsync(task, CancelWorkflow("as asked"));
            return string.Join(",", await s.WireEventTypesAsync(run));
        });

        Assert.That(dev, Is.EqualTo(
            "WorkflowExecutionStarted,DecisionTaskScheduled,DecisionTaskStarted,DecisionTaskCompleted," +
            "WorkflowExecutionCancelRequested,DecisionTaskScheduled,DecisionTaskStarted,DecisionTaskCompleted,WorkflowExecutionCanceled"));
        Assert.That(moto, Does.StartWith("HttpStatus"), "moto (observed): the operation is missing");
    }

    [Test]
    public async Task A_spent_task_token_is_an_UnknownResourceFault_on_both()
    {
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            await s.StartAsync("order");
            var decision = await s.DecideAsync(Schedule("charge-1"));
            var activity = await s.ActivityTaskAsync();
            await s.Client.RespondActivityTaskCompletedAsync(new RespondActivityTaskCompletedInput { TaskToken = activity.TaskToken });
            return string.Join(" ",
                await FaultOf(() => s.Client.RespondActivityTaskCompletedAsync(new RespondActivityTaskCompletedInput { TaskToken = activity.TaskToken })),
                await FaultOf(() => s.Client.RespondActivityTaskFailedAsync(new RespondActivityTaskFailedInput { TaskToken = activity.TaskToken })),
                await FaultOf(() => s.Client.RecordActivityTaskHeartbeatAsync(new RecordActivityTaskHeartbeatInput { TaskToken = activity.TaskToken })),
                await FaultOf(() => s.RespondAsync(decision)));
        });

        Assert.That(dev, Is.EqualTo(moto));
        Assert.That(dev, Is.EqualTo("UnknownResourceFault UnknownResourceFault UnknownResourceFault UnknownResourceFault"));
    }

    [Test]
    public async Task Pending_task_counts_and_open_counts_agree()
    {
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            var run = await s.StartAsync("order");
            int decisions = (await s.Client.CountPendingDecisionTasksAsync(new CountPendingDecisionTasksInput { Domain = s.Domain, TaskList = new TaskList { Name = DecisionList } })).Count;
            await s.DecideAsync(Schedule("a"), Schedule("b"), StartTimer("t", "600"));
            int activities = (await s.Client.CountPendingActivityTasksAsync(new CountPendingActivityTasksInput { Domain = s.Domain, TaskList = new TaskList { Name = ActivityList } })).Count;
            var open = (await s.DescribeAsync(run)).OpenCounts;
            return $"{decisions} {activities} {open.OpenDecisionTasks} {open.OpenActivityTasks} {open.OpenTimers}";
        });

        // API reference, WorkflowExecutionOpenCounts.openTimers: the count of timers started on this execution
        // that have not fired or been canceled. moto never counts timers.
        Assert.That(dev, Is.EqualTo("1 2 0 2 1"));
        Assert.That(moto, Is.EqualTo("1 2 0 2 0"), "moto (observed): openTimers stays 0");
    }
}
