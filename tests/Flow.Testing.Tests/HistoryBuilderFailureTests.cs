using Flow.Swf;
using NUnit.Framework;

namespace Flow.Testing.Tests;

/// <summary>The builder's failure events: each builds a history the replayer accepts, and the workflow sees the failure
/// (the decisions it makes at the open decision task at the end say what it saw).</summary>
[Parallelizable(ParallelScope.All)]
public sealed class HistoryBuilderFailureTests
{
    private static readonly WorkflowDefinition Definition = new("Failures", "1") { DefaultTaskList = "decisions" };
    private static readonly ActivityDefinition Act = new("act", "1") { DefaultTaskList = "activities" };
    private static readonly WorkflowDefinition Kid = new("Kid", "1");

    private sealed class Code(Func<Task<string?>> run, Action? onStop) : IWorkflowInstance
    {
        public Task<string?> ExecuteAsync(string? input) => run();

        public Task? HandleSignal(string signalName, string? input)
        {
            if (signalName != "stop" || onStop is null)
                return null;
            onStop();
            return Task.CompletedTask;
        }

        public string? GetState() => null;
    }

    private static HistoryBuilder Builder() => new HistoryBuilder(Definition).WorkflowStarted().Decision();

    /// <summary>Replays <paramref name="history"/>, which ends with a decision task in progress, and returns the decisions
    /// the code makes for it. <paramref name="run"/> gets a token the "stop" signal cancels.</summary>
    private static IReadOnlyList<Decision> Replay(HistoryBuilder history, Func<CancellationToken, Task<string?>> run)
    {
        var events = history.DecisionScheduled().DecisionStarted().Events;
        var result = new WorkflowReplayer(new WorkflowHandler(Definition, () =>
        {
            var stop = new CancellationTokenSource();
            return new Code(() => run(stop.Token), stop.Cancel);
        })).Replay(events);
        Assert.That(result.Succeeded, result.Describe());
        return result.NextDecisions;
    }

    private static string? Result(IReadOnlyList<Decision> decisions) =>
        decisions.Single().CompleteWorkflowExecutionDecisionAttributes?.Result;

    /// <summary>Runs <paramref name="call"/> and returns what it threw, as "Type: cause or details".</summary>
    private static async Task<string?> Seen(Func<Task> call)
    {
        try
        {
            await call();
            return "nothing";
        }
        catch (Exception e)
        {
            return e switch
            {
                ScheduleActivityTaskFailedException x => $"{x.GetType().Name}: {x.Cause}",
                StartTimerFailedException x => $"{x.GetType().Name}: {x.Cause}",
                StartChildWorkflowFailedException x => $"{x.GetType().Name}: {x.Cause}",
                SignalExternalWorkflowFailedException x => $"{x.GetType().Name}: {x.Cause}",
                RequestCancelExternalWorkflowFailedException x => $"{x.GetType().Name}: {x.Cause}",
                ChildWorkflowCanceledException x => $"{x.GetType().Name}: {x.Details}",
                _ => e.GetType().Name,
            };
        }
    }

    [Test]
    public void ScheduleActivityTaskFailed_reaches_the_code_with_its_cause()
    {
        var history = Builder().ScheduleActivityTaskFailed("1", Act.ToActivityType(), ScheduleActivityTaskFailedCause.ActivityTypeDeprecated);

        var decisions = Replay(history, _ => Seen(() => Workflow.ExecuteActivityAsync(Act, null)));

        Assert.That(Result(decisions), Is.EqualTo("ScheduleActivityTaskFailedException: ActivityTypeDeprecated"));
    }

    /// <summary>What <paramref name="call"/> threw, reported after a one-minute timer, so the decision that saw it records
    /// something besides the run's close.</summary>
    private static async Task<string?> SeenThenWait(Func<Task> call)
    {
        var seen = await Seen(call);
        await Workflow.DelayAsync(TimeSpan.FromMinutes(1));
        return seen;
    }

    [Test]
    public void RequestCancelActivityTaskFailed_replays_as_the_cancel_request_of_an_activity_that_had_just_closed()
    {
        // The activity completes while the decision that asks to cancel it runs: SWF no longer knows the activity id.
        var history = Builder().ActivityScheduled("1", Act).ActivityStarted("1").Signaled("stop")
            .DecisionScheduled().DecisionStarted().ActivityCompleted("1", "\"done\"").DecisionCompleted()
            .RequestCancelActivityTaskFailed("1").TimerStarted("t1", TimeSpan.FromMinutes(1)).TimerFired("t1");

        var decisions = Replay(history, stop => SeenThenWait(() => Workflow.ExecuteActivityAsync(Act, null, new ActivityOptions { CancellationToken = stop })));

        Assert.That(Result(decisions), Is.EqualTo(nameof(ActivityCanceledException)), "cancelled at once, whatever SWF made of the request");
    }

    [Test]
    public void StartTimerFailed_reaches_the_code_with_its_cause()
    {
        var history = Builder().StartTimerFailed("t1", StartTimerFailedCause.TimerIdAlreadyInUse);

        var decisions = Replay(history, _ => Seen(() => Workflow.DelayAsync(TimeSpan.FromMinutes(1))));

        Assert.That(Result(decisions), Is.EqualTo("StartTimerFailedException: TimerIdAlreadyInUse"));
    }

    [Test]
    public void CancelTimerFailed_replays_as_the_cancel_of_a_timer_that_had_just_fired()
    {
        var history = Builder().TimerStarted("t1", TimeSpan.FromMinutes(1)).Signaled("stop")
            .DecisionScheduled().DecisionStarted().TimerFired("t1").DecisionCompleted()
            .CancelTimerFailed("t1").TimerStarted("t2", TimeSpan.FromMinutes(1)).TimerFired("t2");

        var decisions = Replay(history, stop => SeenThenWait(() => Workflow.DelayAsync(TimeSpan.FromMinutes(1), stop)));

        Assert.That(Result(decisions), Is.EqualTo(nameof(TaskCanceledException)));
    }

    [Test]
    public void A_child_that_timed_out_reaches_the_code()
    {
        var history = Builder().ChildInitiated("kid", Kid.ToWorkflowType()).ChildStarted("kid").ChildTimedOut("kid");

        var decisions = Replay(history, _ => Seen(() => Workflow.ExecuteChildWorkflowAsync(Kid, null, new ChildWorkflowOptions { WorkflowId = "kid" })));

        Assert.That(Result(decisions), Is.EqualTo(nameof(ChildWorkflowTimedOutException)));
    }

    [Test]
    public void A_child_that_was_canceled_reaches_the_code_with_its_details()
    {
        var history = Builder().ChildInitiated("kid", Kid.ToWorkflowType()).ChildStarted("kid").ChildCanceled("kid", "no longer needed");

        var decisions = Replay(history, _ => Seen(() => Workflow.ExecuteChildWorkflowAsync(Kid, null, new ChildWorkflowOptions { WorkflowId = "kid" })));

        Assert.That(Result(decisions), Is.EqualTo("ChildWorkflowCanceledException: no longer needed"));
    }

    [Test]
    public void A_child_that_was_terminated_reaches_the_code()
    {
        var history = Builder().ChildInitiated("kid", Kid.ToWorkflowType()).ChildStarted("kid").ChildTerminated("kid");

        var decisions = Replay(history, _ => Seen(() => Workflow.ExecuteChildWorkflowAsync(Kid, null, new ChildWorkflowOptions { WorkflowId = "kid" })));

        Assert.That(Result(decisions), Is.EqualTo(nameof(ChildWorkflowTerminatedException)));
    }

    [Test]
    public void A_child_SWF_refused_to_start_reaches_the_code_with_its_cause()
    {
        var history = Builder().StartChildWorkflowExecutionFailed("kid", Kid.ToWorkflowType(), StartChildWorkflowExecutionFailedCause.WorkflowTypeDoesNotExist);

        var decisions = Replay(history, _ => Seen(() => Workflow.ExecuteChildWorkflowAsync(Kid, null, new ChildWorkflowOptions { WorkflowId = "kid" })));

        Assert.That(Result(decisions), Is.EqualTo("StartChildWorkflowFailedException: WorkflowTypeDoesNotExist"));
    }

    [Test]
    public void A_child_that_failed_to_start_after_it_was_initiated_reaches_the_code_with_its_cause()
    {
        var history = Builder().ChildInitiated("kid", Kid.ToWorkflowType()).StartChildWorkflowExecutionFailed("kid", Kid.ToWorkflowType());

        var decisions = Replay(history, _ => Seen(() => Workflow.ExecuteChildWorkflowAsync(Kid, null, new ChildWorkflowOptions { WorkflowId = "kid" })));

        Assert.That(Result(decisions), Is.EqualTo("StartChildWorkflowFailedException: WorkflowAlreadyRunning"));
    }

    [Test]
    public void A_delivered_signal_to_another_workflow_completes_the_call()
    {
        var history = Builder().SignalExternalInitiated("other", "ping", "1").ExternalSignaled("other");

        var decisions = Replay(history, _ => Seen(() => Workflow.SignalExternalWorkflowAsync("other", null, "ping", "1")));

        Assert.That(Result(decisions), Is.EqualTo("nothing"));
    }

    [Test]
    public void A_signal_SWF_could_not_deliver_reaches_the_code_with_its_cause()
    {
        var history = Builder().SignalExternalInitiated("other", "ping").SignalExternalFailed("other");

        var decisions = Replay(history, _ => Seen(() => Workflow.SignalExternalWorkflowAsync("other", null, "ping", null)));

        Assert.That(Result(decisions), Is.EqualTo("SignalExternalWorkflowFailedException: UnknownExternalWorkflowExecution"));
    }

    [Test]
    public void A_recorded_cancel_request_to_another_workflow_completes_the_call()
    {
        var history = Builder().CancelExternalInitiated("other", "their-run").ExternalCancelRequested("other", "their-run");

        var decisions = Replay(history, _ => Seen(() => Workflow.RequestCancelExternalWorkflowAsync("other", "their-run")));

        Assert.That(Result(decisions), Is.EqualTo("nothing"));
    }

    [Test]
    public void A_cancel_request_SWF_could_not_deliver_reaches_the_code_with_its_cause()
    {
        var history = Builder().CancelExternalInitiated("other").CancelExternalFailed("other");

        var decisions = Replay(history, _ => Seen(() => Workflow.RequestCancelExternalWorkflowAsync("other")));

        Assert.That(Result(decisions), Is.EqualTo("RequestCancelExternalWorkflowFailedException: UnknownExternalWorkflowExecution"));
    }

    [Test]
    public void A_refused_marker_of_the_code_replays_quietly()
    {
        var history = Builder().RecordMarkerFailed("note").Signaled("go");

        var decisions = Replay(history, async _ =>
        {
            Workflow.RecordMarker("note", "details");
            await Workflow.WaitConditionAsync(() => false);
            return null;
        });

        Assert.That(decisions, Is.Empty);
    }

    [Test]
    public void A_refused_side_effect_marker_fails_the_run_at_the_next_decision()
    {
        var history = Builder().RecordMarkerFailed("Flow.SideEffect").TimerStarted("t1", TimeSpan.FromSeconds(5)).TimerFired("t1");

        var decisions = Replay(history, async _ =>
        {
            var value = await Workflow.SideEffectAsync(() => "7");
            await Workflow.DelayAsync(TimeSpan.FromSeconds(5));
            return value;
        });

        Assert.That(decisions.Single().FailWorkflowExecutionDecisionAttributes!.Reason, Is.EqualTo("Flow.MarkerNotRecorded"));
    }

    [Test]
    public void CompleteWorkflowExecutionFailed_with_an_unhandled_decision_is_said_again_at_the_next_decision()
    {
        var history = Builder().CompleteWorkflowExecutionFailed().Signaled("late");

        var decisions = Replay(history, _ => Task.FromResult<string?>("\"done\""));

        Assert.That(Result(decisions), Is.EqualTo("\"done\""));
    }

    [Test]
    public void FailWorkflowExecutionFailed_with_an_unhandled_decision_is_said_again_at_the_next_decision()
    {
        var history = Builder().FailWorkflowExecutionFailed().Signaled("late");

        var decisions = Replay(history, _ => Task.FromException<string?>(new InvalidOperationException("broken")));

        Assert.That(decisions.Single().FailWorkflowExecutionDecisionAttributes!.Reason, Is.EqualTo("System.InvalidOperationException"));
    }

    [Test]
    public void CancelWorkflowExecutionFailed_with_an_unhandled_decision_is_said_again_at_the_next_decision()
    {
        var history = new HistoryBuilder(Definition).WorkflowStarted().Decision().CancelRequested().Decision()
            .CancelWorkflowExecutionFailed().Signaled("late");

        var decisions = Replay(history, async _ =>
        {
            await Workflow.DelayAsync(Timeout.InfiniteTimeSpan, Workflow.CancellationToken);
            return null;
        });

        Assert.That(decisions.Single().DecisionType, Is.EqualTo(DecisionType.CancelWorkflowExecution));
    }

    [Test]
    public void ContinueAsNewWorkflowExecutionFailed_for_a_deprecated_type_fails_the_run_instead()
    {
        var history = Builder().ContinueAsNewWorkflowExecutionFailed(ContinueAsNewWorkflowExecutionFailedCause.WorkflowTypeDeprecated);

        var decisions = Replay(history, _ => Task.FromException<string?>(new ContinueAsNewException(Definition, "[2]", null)));

        var fail = decisions.Single().FailWorkflowExecutionDecisionAttributes!;
        Assert.That((fail.Reason, fail.Details), Is.EqualTo(("ContinueAsNewWorkflowExecutionFailed", "SWF refused ContinueAsNewWorkflowExecution: WORKFLOW_TYPE_DEPRECATED.")));
    }
}
