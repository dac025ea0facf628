using Flow.Swf;
using Flow.Workflows;

namespace Flow.Runtime.Tests.Workflows;

/// <summary>
/// A tiny in-test SWF: turns decisions into the events SWF records, and delivers outcomes (activity results,
/// timer firings, child results, signals) in a random but seeded order, sometimes while a decision task is open
/// (so they land between DecisionTaskStarted and DecisionTaskCompleted, and a close decision fails with
/// UNHANDLED_DECISION as on SWF). With <c>decisionTimeouts</c>, some answers are lost: SWF records DecisionTaskTimedOut
/// instead of DecisionTaskCompleted and schedules a new decision task, whose news include the lost one's.
/// </summary>
internal sealed class SwfSimulator(int seed, int signalBudget = 0, string[]? extraSignals = null, int decisionTimeouts = 0)
{
    private sealed class Open(string id, long scheduled)
    {
        public string Id { get; } = id;
        public long Scheduled { get; } = scheduled;
        public long Started { get; set; }
        public bool CancelRequested { get; set; }

        /// <summary>Retried calls fail more often, so runs see second and third attempts.</summary>
        public bool Flaky { get; init; }
    }

    private readonly Random _rng = new(seed);
    private readonly Random _lost = new(seed ^ 0x5eed); // its own sequence, so timeouts leave the rest of a seed's run alone
    private int _timeoutsLeft = decisionTimeouts;
    private readonly List<Open> _activities = [];
    private readonly List<Open> _timers = [];
    private readonly List<Open> _children = [];
    private readonly List<Open> _externalSignals = [];
    private readonly List<Open> _externalCancels = [];
    private readonly List<string> _signals = [.. Enumerable.Repeat("go", signalBudget), .. extraSignals ?? []];
    private bool _decisionScheduled;

    public HistoryBuilder History { get; } = new();
    public bool Closed { get; private set; }
    public EventType? CloseEvent { get; private set; }

    /// <summary>Per decision task: its DecisionTaskStarted id and the JSON of the response.</summary>
    public List<(long StartedId, string Response)> Responses { get; } = [];

    /// <summary>How many decision tasks timed out.</summary>
    public int TimedOut { get; private set; }

    public void Run(WorkflowExecutor executor, string? input = null, bool incremental = true, int maxDecisions = 500)
    {
        History.Started(input);
        History.Scheduled();
        _decisionScheduled = true;
        long previous = 0;
        for (var steps = 0; !Closed; steps++)
        {
            if (steps > 20_000 || Responses.Count > maxDecisions)
                throw new InvalidOperationException("The simulated workflow did not finish.");
            if (_decisionScheduled)
            {
                _decisionScheduled = false;
                var started = History.DecisionStarted();
                DecisionTaskResult result;
                if (incremental && previous != 0 && executor.LastAppliedEventId == previous)
                {
                    try
                    {
                        result = executor.ProcessDecisionTask(History.Task(started, after: previous));
                    }
                    catch (InvalidOperationException)
                    {
                        // What the worker does when the cached executor cannot go on (its last answer was lost): replay it all.
                        result = executor.ProcessDecisionTask(History.Task(started));
                    }
                }
                else
                {
                    result = executor.ProcessDecisionTask(History.Task(started));
                }
                Responses.Add((started, Defs.Json(result.Decisions, result.ExecutionContext)));
                var arrived = _rng.Next(4) == 0 && Deliver();
                if (_timeoutsLeft > 0 && _lost.Next(6) == 0)
                {
                    // The answer never reached SWF: the task times out and a new one is scheduled.
                    _timeoutsLeft--;
                    TimedOut++;
                    History.DecisionTimedOut();
                    NeedDecision(); // unless news during the lost task scheduled one already
                    previous = started;
                    continue;
                }
                History.DecisionCompleted(started);
                Apply(result.Decisions, arrived);
                previous = started;
            }
            else if (!Deliver())
            {
                throw new InvalidOperationException("The simulated workflow waits for nothing that can happen:\n" +
                                                    string.Join("\n", History.Events.Select(e => $"{e.EventId} {e.EventType}")));
            }
        }
    }

    private void NeedDecision()
    {
        if (!_decisionScheduled && !Closed)
        {
            History.Scheduled();
            _decisionScheduled = true;
        }
    }

    private void Apply(List<Decision> decisions, bool unhandledEvents)
    {
        foreach (var d in decisions)
        {
            switch (d.DecisionType)
            {
                case DecisionType.ScheduleActivityTask:
                {
                    var a = d.ScheduleActivityTaskDecisionAttributes!;
                    _activities.Add(new Open(a.ActivityId, History.ActivityScheduled(a.ActivityId, new ActivityDefinition(a.ActivityType.Name, a.ActivityType.Version)))
                    { Flaky = a.Input == "retried" });
                    History.Events[^1].ActivityTaskScheduledEventAttributes!.Input = a.Input;
                    break;
                }
                case DecisionType.RequestCancelActivityTask:
                {
                    var id = d.RequestCancelActivityTaskDecisionAttributes!.ActivityId;
                    var open = _activities.FirstOrDefault(x => x.Id == id);
                    if (open is null)
                    {
                        History.Add(EventType.RequestCancelActivityTaskFailed, e => e.RequestCancelActivityTaskFailedEventAttributes = new()
                        { ActivityId = id, Cause = RequestCancelActivityTaskFailedCause.ActivityIdUnknown, DecisionTaskCompletedEventId = History.LastCompleted });
                        NeedDecision();
                    }
                    else
                    {
                        open.CancelRequested = true;
                        History.Add(EventType.ActivityTaskCancelRequested, e => e.ActivityTaskCancelRequestedEventAttributes = new()
                        { ActivityId = id, DecisionTaskCompletedEventId = History.LastCompleted });
                    }
                    break;
                }
                case DecisionType.StartTimer:
                {
                    var a = d.StartTimerDecisionAttributes!;
                    _timers.Add(new Open(a.TimerId, History.TimerStarted(a.TimerId, a.StartToFireTimeout)));
                    break;
                }
                case DecisionType.CancelTimer:
                {
                    var id = d.CancelTimerDecisionAttributes!.TimerId;
                    var open = _timers.FirstOrDefault(x => x.Id == id);
                    if (open is null)
                    {
                        History.Add(EventType.CancelTimerFailed, e => e.CancelTimerFailedEventAttributes = new()
                        { TimerId = id, Cause = CancelTimerFailedCause.TimerIdUnknown, DecisionTaskCompletedEventId = History.LastCompleted });
                        NeedDecision();
                    }
                    else
                    {
                        _timers.Remove(open);
                        History.Add(EventType.TimerCanceled, e => e.TimerCanceledEventAttributes = new()
                        { TimerId = id, StartedEventId = open.Scheduled, DecisionTaskCompletedEventId = History.LastCompleted });
                    }
                    break;
                }
                case DecisionType.StartChildWorkflowExecution:
                {
                    var a = d.StartChildWorkflowExecutionDecisionAttributes!;
                    _children.Add(new Open(a.WorkflowId, History.ChildInitiated(a.WorkflowId, new WorkflowDefinition(a.WorkflowType.Name, a.WorkflowType.Version)))
                    { Flaky = a.Input == "retried" });
                    History.Events[^1].StartChildWorkflowExecutionInitiatedEventAttributes!.Input = a.Input;
                    break;
                }
                case DecisionType.SignalExternalWorkflowExecution:
                {
                    var a = d.SignalExternalWorkflowExecutionDecisionAttributes!;
                    var id = History.Add(EventType.SignalExternalWorkflowExecutionInitiated, e => e.SignalExternalWorkflowExecutionInitiatedEventAttributes = new()
                    { WorkflowId = a.WorkflowId, RunId = a.RunId, SignalName = a.SignalName, Input = a.Input, DecisionTaskCompletedEventId = History.LastCompleted }).EventId;
                    _externalSignals.Add(new Open(a.WorkflowId, id));
                    break;
                }
                case DecisionType.RequestCancelExternalWorkflowExecution:
                {
                    var a = d.RequestCancelExternalWorkflowExecutionDecisionAttributes!;
                    var id = History.Add(EventType.RequestCancelExternalWorkflowExecutionInitiated, e => e.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes = new()
                    { WorkflowId = a.WorkflowId, RunId = a.RunId, DecisionTaskCompletedEventId = History.LastCompleted }).EventId;
                    _externalCancels.Add(new Open(a.WorkflowId, id));
                    if (_children.FirstOrDefault(c => c.Id == a.WorkflowId) is { } child)
                        child.CancelRequested = true;
                    break;
                }
                case DecisionType.RecordMarker:
                {
                    var a = d.RecordMarkerDecisionAttributes!;
                    History.Marker(a.MarkerName, a.Details);
                    break;
                }
                default:
                    Close(d, unhandledEvents);
                    break;
            }
        }
    }

    private void Close(Decision d, bool unhandledEvents)
    {
        var dtc = History.LastCompleted;
        if (unhandledEvents)
        {
            // SWF refuses to close a run that has news the decider has not seen.
            switch (d.DecisionType)
            {
                case DecisionType.CompleteWorkflowExecution:
                    History.Add(EventType.CompleteWorkflowExecutionFailed, e => e.CompleteWorkflowExecutionFailedEventAttributes = new()
                    { Cause = CompleteWorkflowExecutionFailedCause.UnhandledDecision, DecisionTaskCompletedEventId = dtc });
                    break;
                case DecisionType.FailWorkflowExecution:
                    History.Add(EventType.FailWorkflowExecutionFailed, e => e.FailWorkflowExecutionFailedEventAttributes = new()
                    { Cause = FailWorkflowExecutionFailedCause.UnhandledDecision, DecisionTaskCompletedEventId = dtc });
                    break;
                case DecisionType.CancelWorkflowExecution:
                    History.Add(EventType.CancelWorkflowExecutionFailed, e => e.CancelWorkflowExecutionFailedEventAttributes = new()
                    { Cause = CancelWorkflowExecutionFailedCause.UnhandledDecision, DecisionTaskCompletedEventId = dtc });
                    break;
                default:
                    History.Add(EventType.ContinueAsNewWorkflowExecutionFailed, e => e.ContinueAsNewWorkflowExecutionFailedEventAttributes = new()
                    { Cause = ContinueAsNewWorkflowExecutionFailedCause.UnhandledDecision, DecisionTaskCompletedEventId = dtc });
                    break;
            }
            return;
        }
        Closed = true;
        switch (d.DecisionType)
        {
            case DecisionType.CompleteWorkflowExecution:
                History.Completed(d.CompleteWorkflowExecutionDecisionAttributes!.Result);
                CloseEvent = EventType.WorkflowExecutionCompleted;
                break;
            case DecisionType.FailWorkflowExecution:
                History.Add(EventType.WorkflowExecutionFailed, e => e.WorkflowExecutionFailedEventAttributes = new()
                { Reason = d.FailWorkflowExecutionDecisionAttributes!.Reason, Details = d.FailWorkflowExecutionDecisionAttributes.Details, DecisionTaskCompletedEventId = dtc });
                CloseEvent = EventType.WorkflowExecutionFailed;
                break;
            case DecisionType.CancelWorkflowExecution:
                History.Add(EventType.WorkflowExecutionCanceled, e => e.WorkflowExecutionCanceledEventAttributes = new() { DecisionTaskCompletedEventId = dtc });
                CloseEvent = EventType.WorkflowExecutionCanceled;
                break;
            default:
                History.Add(EventType.WorkflowExecutionContinuedAsNew, e => e.WorkflowExecutionContinuedAsNewEventAttributes = new()
                { NewExecutionRunId = "run-2", DecisionTaskCompletedEventId = dtc, WorkflowType = Defs.Test.ToWorkflowType(), TaskList = new() { Name = "decisions" } });
                CloseEvent = EventType.WorkflowExecutionContinuedAsNew;
                break;
        }
    }

    /// <summary>Makes one thing happen in the outside world. False when nothing can.</summary>
    private bool Deliver()
    {
        // The continue timer fires at once, as a zero-second timer does.
        if (_timers.FirstOrDefault(t => t.Id == WorkflowContext.ContinueTimerId) is { } next)
        {
            _timers.Remove(next);
            History.TimerFired(next.Id, next.Scheduled);
            NeedDecision();
            return true;
        }
        var choices = new List<Action>();
        foreach (var activity in _activities)
            choices.Add(() => DeliverActivity(activity));
        foreach (var timer in _timers)
            choices.Add(() =>
            {
                _timers.Remove(timer);
                History.TimerFired(timer.Id, timer.Scheduled);
                NeedDecision();
            });
        foreach (var child in _children)
            choices.Add(() => DeliverChild(child));
        foreach (var signal in _externalSignals)
            choices.Add(() =>
            {
                _externalSignals.Remove(signal);
                History.Add(EventType.ExternalWorkflowExecutionSignaled, e => e.ExternalWorkflowExecutionSignaledEventAttributes = new()
                { InitiatedEventId = signal.Scheduled, WorkflowExecution = new() { WorkflowId = signal.Id, RunId = "other-run" } });
                NeedDecision();
            });
        foreach (var cancel in _externalCancels)
            choices.Add(() =>
            {
                _externalCancels.Remove(cancel);
                History.Add(EventType.ExternalWorkflowExecutionCancelRequested, e => e.ExternalWorkflowExecutionCancelRequestedEventAttributes = new()
                { InitiatedEventId = cancel.Scheduled, WorkflowExecution = new() { WorkflowId = cancel.Id, RunId = "other-run" } });
                NeedDecision();
            });
        if (_signals.Count > 0)
            choices.Add(() =>
            {
                var i = _rng.Next(_signals.Count);
                var name = _signals[i];
                _signals.RemoveAt(i);
                History.Signaled(name, $"\"{name}-input\"");
                NeedDecision();
            });
        if (choices.Count == 0)
            return false;
        choices[_rng.Next(choices.Count)]();
        return true;
    }

    private void DeliverActivity(Open activity)
    {
        if (activity.Started == 0)
        {
            activity.Started = History.ActivityStarted(activity.Scheduled);
            return;
        }
        _activities.Remove(activity);
        var roll = _rng.Next(10);
        if (activity.Flaky && roll < 5)
            roll = roll % 2; // a failure (0) or a timeout (1)
        if (activity.CancelRequested && roll < 5)
            History.Add(EventType.ActivityTaskCanceled, e => e.ActivityTaskCanceledEventAttributes = new()
            { ScheduledEventId = activity.Scheduled, StartedEventId = activity.Started });
        else if (roll == 0)
            History.Add(EventType.ActivityTaskFailed, e => e.ActivityTaskFailedEventAttributes = new()
            { ScheduledEventId = activity.Scheduled, StartedEventId = activity.Started, Reason = "System.IO.IOException",
              Details = "{\"type\":\"System.IO.IOException\",\"message\":\"disk\",\"stack\":\"at X\"}" });
        else if (roll == 1)
            History.Add(EventType.ActivityTaskTimedOut, e => e.ActivityTaskTimedOutEventAttributes = new()
            { ScheduledEventId = activity.Scheduled, StartedEventId = activity.Started, TimeoutType = ActivityTaskTimeoutType.StartToClose });
        else
            History.Add(EventType.ActivityTaskCompleted, e => e.ActivityTaskCompletedEventAttributes = new()
            { ScheduledEventId = activity.Scheduled, StartedEventId = activity.Started, Result = $"\"r{activity.Id}\"" });
        NeedDecision();
    }

    private void DeliverChild(Open child)
    {
        if (child.Started == 0)
        {
            child.Started = History.ChildStarted(child.Scheduled, child.Id);
            NeedDecision();
            return;
        }
        _children.Remove(child);
        var execution = new WorkflowExecution { WorkflowId = child.Id, RunId = "child-run" };
        if (child.CancelRequested)
            History.Add(EventType.ChildWorkflowExecutionCanceled, e => e.ChildWorkflowExecutionCanceledEventAttributes = new()
            { InitiatedEventId = child.Scheduled, StartedEventId = child.Started, WorkflowExecution = execution, WorkflowType = Defs.Child.ToWorkflowType() });
        else if (_rng.Next(child.Flaky ? 2 : 8) == 0)
            History.Add(EventType.ChildWorkflowExecutionFailed, e => e.ChildWorkflowExecutionFailedEventAttributes = new()
            { InitiatedEventId = child.Scheduled, StartedEventId = child.Started, WorkflowExecution = execution, WorkflowType = Defs.Child.ToWorkflowType(), Reason = "Boom" });
        else
            History.Add(EventType.ChildWorkflowExecutionCompleted, e => e.ChildWorkflowExecutionCompletedEventAttributes = new()
            { InitiatedEventId = child.Scheduled, StartedEventId = child.Started, WorkflowExecution = execution, WorkflowType = Defs.Child.ToWorkflowType(), Result = $"\"c{child.Id}\"" });
        NeedDecision();
    }
}
