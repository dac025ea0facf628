using Flow.Swf;
using Flow.Workflows;

namespace Flow.Runtime.Tests.Workflows;

public class TimerTests
{
    [Test]
    public void A_timer_is_whole_seconds_rounded_up_and_has_its_own_id_counter()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();

        var result = Defs.Executor(async _ =>
        {
            var timer = Workflow.DelayAsync(TimeSpan.FromSeconds(1.2));
            var activity = Workflow.ExecuteActivityAsync(Defs.Act, null);
            await Task.WhenAll(timer, activity);
            return null;
        }).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions[0].StartTimerDecisionAttributes!.TimerId, Is.EqualTo("t1"));
        Assert.That(result.Decisions[0].StartTimerDecisionAttributes!.StartToFireTimeout, Is.EqualTo("2"));
        Assert.That(result.Decisions[1].ScheduleActivityTaskDecisionAttributes!.ActivityId, Is.EqualTo("1"));
    }

    [Test]
    public void Cancelling_a_started_timer_sends_CancelTimer_and_cancels_the_delay()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.TimerStarted("t1", "60");
        h.Signaled("stop", null);
        h.Decide();
        var cts = new CancellationTokenSource();

        var result = Defs.Executor(() => new TestWorkflow(async _ =>
        {
            try { await Workflow.DelayAsync(TimeSpan.FromMinutes(1), cts.Token); return "fired"; }
            catch (TaskCanceledException) { return "canceled"; }
        })
        { Signals = { ["stop"] = _ => { cts.Cancel(); return Task.CompletedTask; } } }).ProcessDecisionTask(h.Task());

        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.CancelTimer, DecisionType.CompleteWorkflowExecution }));
        Assert.That(result.Decisions[0].CancelTimerDecisionAttributes!.TimerId, Is.EqualTo("t1"));
        Assert.That(result.Decisions[1].CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("canceled"));
    }

    [TestCase(EventType.TimerCanceled)]
    [TestCase(EventType.CancelTimerFailed)]
    public void TimerCanceled_and_CancelTimerFailed_replay_as_the_CancelTimer_decision(EventType outcome)
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var t = h.TimerStarted("t1", "60");
        h.Signaled("stop", null);
        h.Decided();
        if (outcome == EventType.TimerCanceled)
            h.Do(outcome, e => e.TimerCanceledEventAttributes = new() { TimerId = "t1", StartedEventId = t, DecisionTaskCompletedEventId = h.LastCompleted });
        else
            h.Do(outcome, e => e.CancelTimerFailedEventAttributes = new() { TimerId = "t1", Cause = CancelTimerFailedCause.TimerIdUnknown, DecisionTaskCompletedEventId = h.LastCompleted });
        h.Completed("canceled");
        var task = h.Task(startedId: 0);
        task.Events = [.. h.Events];
        var cts = new CancellationTokenSource();

        var result = Defs.Executor(() => new TestWorkflow(async _ =>
        {
            try { await Workflow.DelayAsync(TimeSpan.FromMinutes(1), cts.Token); return "fired"; }
            catch (TaskCanceledException) { return "canceled"; }
        })
        { Signals = { ["stop"] = _ => { cts.Cancel(); return Task.CompletedTask; } } }).ProcessDecisionTask(task);

        Assert.That(result.Decisions, Is.Empty);
    }

    [Test]
    public void StartTimerFailed_surfaces_its_cause()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.Do(EventType.StartTimerFailed, e => e.StartTimerFailedEventAttributes = new() { TimerId = "t1", Cause = StartTimerFailedCause.TimerIdAlreadyInUse, DecisionTaskCompletedEventId = 4 });
        h.Decide();

        var result = Defs.Executor(async _ =>
        {
            try { await Workflow.DelayAsync(TimeSpan.FromSeconds(5)); return "fired"; }
            catch (StartTimerFailedException e) { return e.Cause.ToString(); }
        }).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions.Single().CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("TimerIdAlreadyInUse"));
    }

    [Test]
    public void WaitCondition_returns_false_when_its_timeout_timer_fires()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var t = h.TimerStarted("t1", "30");
        h.TimerFired("t1", t);
        h.Decide();

        var result = Defs.Executor(async _ => (await Workflow.WaitConditionAsync(() => false, TimeSpan.FromSeconds(30))).ToString())
            .ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions.Single().CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("False"));
    }

    [Test]
    public void WaitCondition_that_holds_before_its_timeout_cancels_the_timer()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.TimerStarted("t1", "30");
        h.Signaled("go", null);
        h.Decide();
        var go = false;

        var result = Defs.Executor(() => new TestWorkflow(async _ => (await Workflow.WaitConditionAsync(() => go, TimeSpan.FromSeconds(30))).ToString())
        { Signals = { ["go"] = _ => { go = true; return Task.CompletedTask; } } }).ProcessDecisionTask(h.Task());

        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.CancelTimer, DecisionType.CompleteWorkflowExecution }));
        Assert.That(result.Decisions[1].CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("True"));
    }
}

public class ChildWorkflowTests
{
    private static Exception? Outcome(Action<HistoryBuilder, long> outcome)
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var i = h.ChildInitiated("run-1.1");
        var started = h.ChildStarted(i, "run-1.1");
        outcome(h, i);
        h.Decide();
        Exception? seen = null;
        Defs.Executor(async _ =>
        {
            try { return await Workflow.ExecuteChildWorkflowAsync(Defs.Child, null); }
            catch (Exception e) { seen = e; return null; }
        }).ProcessDecisionTask(h.Task());
        Assert.That(started, Is.EqualTo(i + 1));
        return seen;
    }

    private static readonly WorkflowExecution ChildRun = new() { WorkflowId = "run-1.1", RunId = "child-run" };

    [Test]
    public void A_child_is_started_with_an_id_made_from_the_parents_run_id_and_a_counter()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();

        var result = Defs.Executor(_ => Workflow.ExecuteChildWorkflowAsync(Defs.Child, "in", new ChildWorkflowOptions
        { TaskList = "kids", ExecutionStartToCloseTimeout = TimeSpan.FromHours(1), ChildPolicy = ChildPolicy.Abandon, TagList = ["a"] }))
            .ProcessDecisionTask(h.Task());

        var a = result.Decisions.Single().StartChildWorkflowExecutionDecisionAttributes!;
        Assert.That((a.WorkflowId, a.WorkflowType.Name, a.Input, a.TaskList!.Name, a.ExecutionStartToCloseTimeout, a.ChildPolicy, a.TagList!.Single()),
            Is.EqualTo(("run-1.1", "Child", "in", "kids", "3600", (ChildPolicy?)ChildPolicy.Abandon, "a")));
    }

    [Test]
    public void A_completed_child_returns_its_result()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var i = h.ChildInitiated("run-1.1");
        h.ChildStarted(i, "run-1.1");
        h.Do(EventType.ChildWorkflowExecutionCompleted, e => e.ChildWorkflowExecutionCompletedEventAttributes = new()
        { InitiatedEventId = i, StartedEventId = i + 1, Result = "42", WorkflowExecution = ChildRun, WorkflowType = Defs.Child.ToWorkflowType() });
        h.Decide();

        var result = Defs.Executor(_ => Workflow.ExecuteChildWorkflowAsync(Defs.Child, null)).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions.Single().CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("42"));
    }

    [Test]
    public void A_failed_child_surfaces_reason_and_details()
    {
        var seen = Outcome((h, i) => h.Do(EventType.ChildWorkflowExecutionFailed, e => e.ChildWorkflowExecutionFailedEventAttributes = new()
        { InitiatedEventId = i, StartedEventId = i + 1, Reason = "Boom", Details = "it broke", WorkflowExecution = ChildRun, WorkflowType = Defs.Child.ToWorkflowType() }));

        var failed = (ChildWorkflowFailedException)seen!;
        Assert.That((failed.Reason, failed.Details, failed.Execution.RunId), Is.EqualTo(("Boom", "it broke", "child-run")));
    }

    [Test]
    public void A_timed_out_child_surfaces_as_ChildWorkflowTimedOutException()
    {
        var seen = Outcome((h, i) => h.Do(EventType.ChildWorkflowExecutionTimedOut, e => e.ChildWorkflowExecutionTimedOutEventAttributes = new()
        { InitiatedEventId = i, StartedEventId = i + 1, TimeoutType = WorkflowExecutionTimeoutType.StartToClose, WorkflowExecution = ChildRun, WorkflowType = Defs.Child.ToWorkflowType() }));
        Assert.That(seen, Is.InstanceOf<ChildWorkflowTimedOutException>());
    }

    [Test]
    public void A_canceled_child_surfaces_as_an_OperationCanceledException()
    {
        var seen = Outcome((h, i) => h.Do(EventType.ChildWorkflowExecutionCanceled, e => e.ChildWorkflowExecutionCanceledEventAttributes = new()
        { InitiatedEventId = i, StartedEventId = i + 1, Details = "bye", WorkflowExecution = ChildRun, WorkflowType = Defs.Child.ToWorkflowType() }));
        Assert.That(((ChildWorkflowCanceledException)seen!).Details, Is.EqualTo("bye"));
    }

    [Test]
    public void A_terminated_child_surfaces_as_ChildWorkflowTerminatedException()
    {
        var seen = Outcome((h, i) => h.Do(EventType.ChildWorkflowExecutionTerminated, e => e.ChildWorkflowExecutionTerminatedEventAttributes = new()
        { InitiatedEventId = i, StartedEventId = i + 1, WorkflowExecution = ChildRun, WorkflowType = Defs.Child.ToWorkflowType() }));
        Assert.That(seen, Is.InstanceOf<ChildWorkflowTerminatedException>());
    }

    [Test]
    public void A_child_refused_at_once_surfaces_the_cause()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.Do(EventType.StartChildWorkflowExecutionFailed, e => e.StartChildWorkflowExecutionFailedEventAttributes = new()
        { WorkflowId = "run-1.1", WorkflowType = Defs.Child.ToWorkflowType(), Cause = StartChildWorkflowExecutionFailedCause.WorkflowTypeDoesNotExist, DecisionTaskCompletedEventId = 4 });
        h.Decide();

        var result = Defs.Executor(async _ =>
        {
            try { return await Workflow.ExecuteChildWorkflowAsync(Defs.Child, null); }
            catch (StartChildWorkflowFailedException e) { return e.Cause.ToString(); }
        }).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions.Single().CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("WorkflowTypeDoesNotExist"));
    }

    [Test]
    public void A_child_that_was_already_running_fails_after_it_was_initiated()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var i = h.ChildInitiated("run-1.1");
        h.Do(EventType.StartChildWorkflowExecutionFailed, e => e.StartChildWorkflowExecutionFailedEventAttributes = new()
        { WorkflowId = "run-1.1", InitiatedEventId = i, WorkflowType = Defs.Child.ToWorkflowType(), Cause = StartChildWorkflowExecutionFailedCause.WorkflowAlreadyRunning, DecisionTaskCompletedEventId = 4 });
        h.Decide();

        var result = Defs.Executor(async _ =>
        {
            try { return await Workflow.ExecuteChildWorkflowAsync(Defs.Child, null); }
            catch (StartChildWorkflowFailedException e) { return e.Cause.ToString(); }
        }).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions.Single().CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("WorkflowAlreadyRunning"));
    }

    [Test]
    public void Cancelling_a_started_childs_token_requests_its_cancellation()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var i = h.ChildInitiated("run-1.1");
        h.ChildStarted(i, "run-1.1");
        h.Signaled("stop", null);
        h.Decide();
        var cts = new CancellationTokenSource();

        var result = Defs.Executor(() => new TestWorkflow(async _ =>
        {
            try { return await Workflow.ExecuteChildWorkflowAsync(Defs.Child, null, new ChildWorkflowOptions { CancellationToken = cts.Token }); }
            catch (ChildWorkflowCanceledException) { return "canceled"; }
        })
        { Signals = { ["stop"] = _ => { cts.Cancel(); return Task.CompletedTask; } } }).ProcessDecisionTask(h.Task());

        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.RequestCancelExternalWorkflowExecution, DecisionType.CompleteWorkflowExecution }));
        var cancel = result.Decisions[0].RequestCancelExternalWorkflowExecutionDecisionAttributes!;
        Assert.That((cancel.WorkflowId, cancel.RunId), Is.EqualTo(("run-1.1", "child-run")));
    }
}

public class ExternalWorkflowTests
{
    [Test]
    public void Signalling_another_workflow_completes_when_SWF_has_delivered_the_signal()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var i = h.Add(EventType.SignalExternalWorkflowExecutionInitiated, e => e.SignalExternalWorkflowExecutionInitiatedEventAttributes = new()
        { WorkflowId = "other", SignalName = "ping", Input = "1", DecisionTaskCompletedEventId = 4 }).EventId;
        h.Do(EventType.ExternalWorkflowExecutionSignaled, e => e.ExternalWorkflowExecutionSignaledEventAttributes = new() { InitiatedEventId = i, WorkflowExecution = new() { WorkflowId = "other", RunId = "r" } });
        h.Decide();
        Func<string?, Task<string?>> workflow = async _ => { await Workflow.SignalExternalWorkflowAsync("other", null, "ping", "1"); return "sent"; };

        var first = Defs.Executor(workflow).ProcessDecisionTask(h.Task(startedId: 3));
        var result = Defs.Executor(workflow).ProcessDecisionTask(h.Task());

        var signal = first.Decisions.Single().SignalExternalWorkflowExecutionDecisionAttributes!;
        Assert.That((signal.WorkflowId, signal.SignalName, signal.Input), Is.EqualTo(("other", "ping", "1")));
        Assert.That(result.Decisions.Single().CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("sent"));
    }

    [Test]
    public void A_signal_SWF_could_not_deliver_surfaces_the_cause()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var i = h.Add(EventType.SignalExternalWorkflowExecutionInitiated, e => e.SignalExternalWorkflowExecutionInitiatedEventAttributes = new()
        { WorkflowId = "other", SignalName = "ping", DecisionTaskCompletedEventId = 4 }).EventId;
        h.Do(EventType.SignalExternalWorkflowExecutionFailed, e => e.SignalExternalWorkflowExecutionFailedEventAttributes = new()
        { WorkflowId = "other", InitiatedEventId = i, Cause = SignalExternalWorkflowExecutionFailedCause.UnknownExternalWorkflowExecution, DecisionTaskCompletedEventId = 4 });
        h.Decide();

        var result = Defs.Executor(async _ =>
        {
            try { await Workflow.SignalExternalWorkflowAsync("other", null, "ping", null); return "sent"; }
            catch (SignalExternalWorkflowFailedException e) { return e.Cause.ToString(); }
        }).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions.Single().CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("UnknownExternalWorkflowExecution"));
    }

    [Test]
    public void Requesting_cancellation_of_another_workflow_completes_when_SWF_recorded_the_request()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var i = h.Add(EventType.RequestCancelExternalWorkflowExecutionInitiated, e => e.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes = new()
        { WorkflowId = "other", RunId = "r", DecisionTaskCompletedEventId = 4 }).EventId;
        h.Do(EventType.ExternalWorkflowExecutionCancelRequested, e => e.ExternalWorkflowExecutionCancelRequestedEventAttributes = new() { InitiatedEventId = i, WorkflowExecution = new() { WorkflowId = "other", RunId = "r" } });
        h.Decide();
        Func<string?, Task<string?>> workflow = async _ => { await Workflow.RequestCancelExternalWorkflowAsync("other", "r"); return "requested"; };

        var first = Defs.Executor(workflow).ProcessDecisionTask(h.Task(startedId: 3));
        var result = Defs.Executor(workflow).ProcessDecisionTask(h.Task());

        var cancel = first.Decisions.Single().RequestCancelExternalWorkflowExecutionDecisionAttributes!;
        Assert.That((cancel.WorkflowId, cancel.RunId), Is.EqualTo(("other", "r")));
        Assert.That(result.Decisions.Single().CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("requested"));
    }

    [Test]
    public void A_cancel_request_SWF_could_not_deliver_surfaces_the_cause()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var i = h.Add(EventType.RequestCancelExternalWorkflowExecutionInitiated, e => e.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes = new()
        { WorkflowId = "other", DecisionTaskCompletedEventId = 4 }).EventId;
        h.Do(EventType.RequestCancelExternalWorkflowExecutionFailed, e => e.RequestCancelExternalWorkflowExecutionFailedEventAttributes = new()
        { WorkflowId = "other", InitiatedEventId = i, Cause = RequestCancelExternalWorkflowExecutionFailedCause.UnknownExternalWorkflowExecution, DecisionTaskCompletedEventId = 4 });
        h.Decide();

        var result = Defs.Executor(async _ =>
        {
            try { await Workflow.RequestCancelExternalWorkflowAsync("other"); return "requested"; }
            catch (RequestCancelExternalWorkflowFailedException e) { return e.Cause.ToString(); }
        }).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions.Single().CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("UnknownExternalWorkflowExecution"));
    }
}

/// <summary>The tables of recorded commands keep only what still waits for an outcome, so a long run kept in the decision
/// cache holds on to no finished timers, children, signals or cancel requests.</summary>
public class CommandTableTests
{
    private const int Rounds = 10;
    private static readonly WorkflowExecution ChildRun = new() { WorkflowId = "child", RunId = "child-run" };

    /// <summary>Each round: a timer that fires and one cancelled after it, a child that ends one of the five ways, a
    /// signal to another workflow and a cancel request to it (delivered or refused, in turn).</summary>
    private static async Task<string?> Rounds_(string? _)
    {
        for (var i = 0; i < Rounds; i++)
        {
            using var cts = new CancellationTokenSource();
            var cancelled = Workflow.DelayAsync(TimeSpan.FromHours(1), cts.Token);
            await Workflow.DelayAsync(TimeSpan.FromSeconds(1));
            cts.Cancel();
            try { await cancelled; } catch (TaskCanceledException) { }
            try { await Workflow.ExecuteChildWorkflowAsync(Defs.Child, null); } catch (Exception e) when (e is ChildWorkflowFailedException or ChildWorkflowTimedOutException or ChildWorkflowTerminatedException or OperationCanceledException) { }
            try { await Workflow.SignalExternalWorkflowAsync("other", null, "ping", null); } catch (SignalExternalWorkflowFailedException) { }
            try { await Workflow.RequestCancelExternalWorkflowAsync("other", null); } catch (RequestCancelExternalWorkflowFailedException) { }
        }
        await Workflow.WaitConditionAsync(() => false);
        return null;
    }

    private static HistoryBuilder History()
    {
        var h = new HistoryBuilder().Started();
        var timer = 0;
        for (var i = 0; i < Rounds; i++)
        {
            h.Decided();
            var cancelled = h.TimerStarted($"t{++timer}", "3600");
            var fired = h.TimerStarted($"t{++timer}", "1");
            h.TimerFired($"t{timer}", fired);
            h.Decided();
            h.Do(EventType.TimerCanceled, e => e.TimerCanceledEventAttributes = new() { TimerId = $"t{timer - 1}", StartedEventId = cancelled, DecisionTaskCompletedEventId = h.LastCompleted });
            var child = $"run-1.{i + 1}";
            var initiated = h.ChildInitiated(child);
            h.ChildStarted(initiated, child);
            ChildEnds(h, i % 5, initiated);
            h.Decided();
            var signal = h.Add(EventType.SignalExternalWorkflowExecutionInitiated, e => e.SignalExternalWorkflowExecutionInitiatedEventAttributes = new()
            { WorkflowId = "other", SignalName = "ping", DecisionTaskCompletedEventId = h.LastCompleted }).EventId;
            if (i % 2 == 0)
                h.Do(EventType.ExternalWorkflowExecutionSignaled, e => e.ExternalWorkflowExecutionSignaledEventAttributes = new() { InitiatedEventId = signal, WorkflowExecution = new() { WorkflowId = "other", RunId = "r" } });
            else
                h.Do(EventType.SignalExternalWorkflowExecutionFailed, e => e.SignalExternalWorkflowExecutionFailedEventAttributes = new()
                { WorkflowId = "other", InitiatedEventId = signal, Cause = SignalExternalWorkflowExecutionFailedCause.UnknownExternalWorkflowExecution, DecisionTaskCompletedEventId = h.LastCompleted });
            h.Decided();
            var cancel = h.Add(EventType.RequestCancelExternalWorkflowExecutionInitiated, e => e.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes = new()
            { WorkflowId = "other", DecisionTaskCompletedEventId = h.LastCompleted }).EventId;
            if (i % 2 == 0)
                h.Do(EventType.ExternalWorkflowExecutionCancelRequested, e => e.ExternalWorkflowExecutionCancelRequestedEventAttributes = new() { InitiatedEventId = cancel, WorkflowExecution = new() { WorkflowId = "other", RunId = "r" } });
            else
                h.Do(EventType.RequestCancelExternalWorkflowExecutionFailed, e => e.RequestCancelExternalWorkflowExecutionFailedEventAttributes = new()
                { WorkflowId = "other", InitiatedEventId = cancel, Cause = RequestCancelExternalWorkflowExecutionFailedCause.UnknownExternalWorkflowExecution, DecisionTaskCompletedEventId = h.LastCompleted });
        }
        h.Decide();
        return h;
    }

    private static void ChildEnds(HistoryBuilder h, int how, long i)
    {
        var type = Defs.Child.ToWorkflowType();
        switch (how)
        {
            case 0:
                h.Do(EventType.ChildWorkflowExecutionCompleted, e => e.ChildWorkflowExecutionCompletedEventAttributes = new() { InitiatedEventId = i, StartedEventId = i + 1, WorkflowExecution = ChildRun, WorkflowType = type });
                break;
            case 1:
                h.Do(EventType.ChildWorkflowExecutionFailed, e => e.ChildWorkflowExecutionFailedEventAttributes = new() { InitiatedEventId = i, StartedEventId = i + 1, Reason = "Boom", WorkflowExecution = ChildRun, WorkflowType = type });
                break;
            case 2:
                h.Do(EventType.ChildWorkflowExecutionTimedOut, e => e.ChildWorkflowExecutionTimedOutEventAttributes = new() { InitiatedEventId = i, StartedEventId = i + 1, TimeoutType = WorkflowExecutionTimeoutType.StartToClose, WorkflowExecution = ChildRun, WorkflowType = type });
                break;
            case 3:
                h.Do(EventType.ChildWorkflowExecutionCanceled, e => e.ChildWorkflowExecutionCanceledEventAttributes = new() { InitiatedEventId = i, StartedEventId = i + 1, WorkflowExecution = ChildRun, WorkflowType = type });
                break;
            default:
                h.Do(EventType.ChildWorkflowExecutionTerminated, e => e.ChildWorkflowExecutionTerminatedEventAttributes = new() { InitiatedEventId = i, StartedEventId = i + 1, WorkflowExecution = ChildRun, WorkflowType = type });
                break;
        }
    }

    [Test]
    public void After_many_finished_timers_children_signals_and_cancel_requests_the_tables_are_empty()
    {
        var h = History();
        var executor = Defs.Executor(Rounds_);

        var result = executor.ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions, Is.Empty);
        Assert.That(executor.Context!.OpenCommands, Is.EqualTo((0, 0, 0, 0, 0)));
    }

    [Test]
    public void The_same_holds_for_the_cached_run_that_takes_its_history_a_decision_at_a_time()
    {
        var h = History();
        var executor = Defs.Executor(Rounds_);
        long after = 0;
        foreach (var started in h.Events.Where(e => e.EventType == EventType.DecisionTaskStarted).Select(e => e.EventId).ToList())
        {
            executor.ProcessDecisionTask(h.Task(startedId: started, after: after));
            after = started;
        }

        Assert.That(executor.Context!.OpenCommands, Is.EqualTo((0, 0, 0, 0, 0)));
    }

    [Test]
    public void A_command_still_waiting_for_its_outcome_stays_in_its_table()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.TimerStarted("t1", "60");
        h.ChildInitiated("run-1.1");
        h.Signaled("poke", null);
        h.Decide();
        var executor = Defs.Executor(async _ =>
        {
            var timer = Workflow.DelayAsync(TimeSpan.FromMinutes(1));
            var child = Workflow.ExecuteChildWorkflowAsync(Defs.Child, null);
            await Task.WhenAll(timer, child);
            return null;
        });

        executor.ProcessDecisionTask(h.Task());

        Assert.That(executor.Context!.OpenCommands, Is.EqualTo((0, 1, 1, 0, 0)));
    }
}
