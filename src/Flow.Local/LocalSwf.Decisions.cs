using Flow.Swf;

namespace Flow.Local;

// RespondDecisionTaskCompleted: every decision type and the events it records.
//
// What is a fault and what is an event follows the API reference: a malformed batch (a decision without
// its attributes, a duration that is not a number, a close decision that is not last) is rejected whole
// with ValidationException and changes nothing; a well-formed decision that cannot be carried out (unknown
// or deprecated type, id in use, missing default, unknown id, new events since the task started) records
// its *Failed event with the cause, and a new decision task is scheduled so the decider can react.
public sealed partial class LocalSwf
{
    /// <summary>SWF's limit on open activity tasks, timers and child executions per execution.</summary>
    internal const int OpenLimit = 1000;

    static bool IsClose(DecisionType t) => t is DecisionType.CompleteWorkflowExecution or DecisionType.FailWorkflowExecution
        or DecisionType.CancelWorkflowExecution or DecisionType.ContinueAsNewWorkflowExecution;

    static void CheckDecisions(RespondDecisionTaskCompletedInput input)
    {
        var decisions = input.Decisions ?? [];
        CheckDuration(input.TaskListScheduleToStartTimeout, "taskListScheduleToStartTimeout");
        for (var i = 0; i < decisions.Count; i++)
        {
            var d = decisions[i];
            var path = $"decisions[{i}]";
            object? attributes = d.DecisionType switch
            {
                DecisionType.ScheduleActivityTask => d.ScheduleActivityTaskDecisionAttributes,
                DecisionType.RequestCancelActivityTask => d.RequestCancelActivityTaskDecisionAttributes,
                DecisionType.CompleteWorkflowExecution => d.CompleteWorkflowExecutionDecisionAttributes ?? new(),
                DecisionType.FailWorkflowExecution => d.FailWorkflowExecutionDecisionAttributes ?? new(),
                DecisionType.CancelWorkflowExecution => d.CancelWorkflowExecutionDecisionAttributes ?? new(),
                DecisionType.ContinueAsNewWorkflowExecution => d.ContinueAsNewWorkflowExecutionDecisionAttributes ?? new(),
                DecisionType.RecordMarker => d.RecordMarkerDecisionAttributes,
                DecisionType.StartTimer => d.StartTimerDecisionAttributes,
                DecisionType.CancelTimer => d.CancelTimerDecisionAttributes,
                DecisionType.SignalExternalWorkflowExecution => d.SignalExternalWorkflowExecutionDecisionAttributes,
                DecisionType.RequestCancelExternalWorkflowExecution => d.RequestCancelExternalWorkflowExecutionDecisionAttributes,
                DecisionType.StartChildWorkflowExecution => d.StartChildWorkflowExecutionDecisionAttributes,
                DecisionType.ScheduleLambdaFunction => d.ScheduleLambdaFunctionDecisionAttributes,
                _ => null,
            };
            if (attributes is null)
                throw Faults.Validation($"{path}: a {d.DecisionType} decision needs its attributes.");
            if (IsClose(d.DecisionType) && i != decisions.Count - 1)
                throw Faults.Validation($"{path}: a {d.DecisionType} decision closes the execution and must be the last decision.");
            switch (attributes)
            {
                case ScheduleActivityTaskDecisionAttributes a:
                    CheckDuration(a.ScheduleToStartTimeout, $"{path}.scheduleActivityTaskDecisionAttributes.scheduleToStartTimeout");
                    CheckDuration(a.ScheduleToCloseTimeout, $"{path}.scheduleActivityTaskDecisionAttributes.scheduleToCloseTimeout");
                    CheckDuration(a.StartToCloseTimeout, $"{path}.scheduleActivityTaskDecisionAttributes.startToCloseTimeout");
                    CheckDuration(a.HeartbeatTimeout, $"{path}.scheduleActivityTaskDecisionAttributes.heartbeatTimeout");
                    break;
                case StartTimerDecisionAttributes t:
                    CheckDuration(t.StartToFireTimeout, $"{path}.startTimerDecisionAttributes.startToFireTimeout", allowNone: false);
                    break;
                case StartChildWorkflowExecutionDecisionAttributes c:
                    if (c.ExecutionStartToCloseTimeout is { } cesc)
                        CheckExecutionTimeout(cesc, $"{path}.startChildWorkflowExecutionDecisionAttributes.executionStartToCloseTimeout");
                    CheckDuration(c.TaskStartToCloseTimeout, $"{path}.startChildWorkflowExecutionDecisionAttributes.taskStartToCloseTimeout");
                    break;
                case ContinueAsNewWorkflowExecutionDecisionAttributes n:
                    if (n.ExecutionStartToCloseTimeout is { } nesc)
                        CheckExecutionTimeout(nesc, $"{path}.continueAsNewWorkflowExecutionDecisionAttributes.executionStartToCloseTimeout");
                    CheckDuration(n.TaskStartToCloseTimeout, $"{path}.continueAsNewWorkflowExecutionDecisionAttributes.taskStartToCloseTimeout");
                    break;
            }
        }
    }

    internal void RespondDecisionTaskCompleted(RespondDecisionTaskCompletedInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        CheckDecisions(input);
        var e = ResolveDecisionToken(input.TaskToken);
        var completed = AddEvent(e, EventType.DecisionTaskCompleted, ev => ev.DecisionTaskCompletedEventAttributes = new()
        {
            ExecutionContext = input.ExecutionContext, ScheduledEventId = e.DecisionStartedScheduledId, StartedEventId = e.DecisionStartedId,
            TaskList = input.TaskList, TaskListScheduleToStartTimeout = input.TaskListScheduleToStartTimeout,
        });
        if (input.ExecutionContext is not null)
            e.LatestExecutionContext = input.ExecutionContext;
        e.PreviousStartedEventId = e.DecisionStartedId;
        e.DecisionStartToCloseDue = null;
        // DecisionStartedId stays set until the batch is applied, so nothing in it hands this execution's
        // next decision task to a poller before the batch's own events are recorded.
        var batch = new Batch(e, completed.EventId);
        foreach (var d in input.Decisions ?? [])
            Apply(batch, d);
        foreach (var post in batch.Post)
            if (e.IsOpen)
                post();
        if (batch.Close is { } close && e.IsOpen)
        {
            close();
            return;
        }
        e.DecisionStartedId = 0;
        e.DecisionTaskListOverride = input.TaskList?.Name;
        e.DecisionTaskListOverrideTimeout = input.TaskList is null ? null : input.TaskListScheduleToStartTimeout;
        foreach (var a in batch.Offers)
            if (e.Activities.TryGetValue(a.ActivityId, out var current) && current == a)
                Offer(e, a);
        if (batch.ScheduleDecision)
            ScheduleDecision(e);
        else
            MakeDecisionAvailable(e);
    });

    sealed class Batch(ExecutionState execution, long completedEventId)
    {
        public ExecutionState Execution { get; } = execution;
        public long CompletedEventId { get; } = completedEventId;
        public bool ScheduleDecision { get; set; }
        public List<Action> Post { get; } = [];
        public List<ActivityState> Offers { get; } = [];
        public Action? Close { get; set; }
    }

    void Apply(Batch b, Decision d)
    {
        var e = b.Execution;
        var dtc = b.CompletedEventId;
        // A close decision fails while a decision task is scheduled: new events arrived since this one started.
        var unhandled = e.DecisionScheduledId != 0;
        switch (d.DecisionType)
        {
            case DecisionType.ScheduleActivityTask:
                ScheduleActivity(b, d.ScheduleActivityTaskDecisionAttributes!);
                break;

            case DecisionType.RequestCancelActivityTask:
            {
                var id = d.RequestCancelActivityTaskDecisionAttributes!.ActivityId;
                if (!e.Activities.TryGetValue(id, out var a))
                {
                    AddEvent(e, EventType.RequestCancelActivityTaskFailed, ev => ev.RequestCancelActivityTaskFailedEventAttributes = new()
                    {
                        ActivityId = id, Cause = RequestCancelActivityTaskFailedCause.ActivityIdUnknown, DecisionTaskCompletedEventId = dtc,
                    });
                    b.ScheduleDecision = true;
                    break;
                }
                var requested = AddEvent(e, EventType.ActivityTaskCancelRequested, ev => ev.ActivityTaskCancelRequestedEventAttributes = new()
                {
                    ActivityId = id, DecisionTaskCompletedEventId = dtc,
                });
                a.LatestCancelRequestedEventId = requested.EventId;
                if (a.StartedEventId == 0)
                {
                    // Not yet handed to a worker: canceled at once.
                    if (e.ActivityNodes.Remove(id, out var node))
                        node.List!.Remove(node);
                    e.Activities.Remove(id);
                    AddEvent(e, EventType.ActivityTaskCanceled, ev => ev.ActivityTaskCanceledEventAttributes = new()
                    {
                        ScheduledEventId = a.ScheduledEventId, StartedEventId = 0, LatestCancelRequestedEventId = requested.EventId,
                    });
                    b.ScheduleDecision = true;
                }
                break;
            }

            case DecisionType.StartTimer:
            {
                var t = d.StartTimerDecisionAttributes!;
                if (e.Timers.ContainsKey(t.TimerId) || e.Timers.Count >= OpenLimit)
                {
                    var why = e.Timers.ContainsKey(t.TimerId) ? StartTimerFailedCause.TimerIdAlreadyInUse : StartTimerFailedCause.OpenTimersLimitExceeded;
                    AddEvent(e, EventType.StartTimerFailed, ev => ev.StartTimerFailedEventAttributes = new()
                    {
                        TimerId = t.TimerId, Cause = why, DecisionTaskCompletedEventId = dtc,
                    });
                    b.ScheduleDecision = true;
                    break;
                }
                var started = AddEvent(e, EventType.TimerStarted, ev => ev.TimerStartedEventAttributes = new()
                {
                    TimerId = t.TimerId, Control = t.Control, StartToFireTimeout = t.StartToFireTimeout, DecisionTaskCompletedEventId = dtc,
                });
                var at = started.EventTimestamp + Duration(t.StartToFireTimeout)!.Value;
                e.Timers[t.TimerId] = new TimerState { TimerId = t.TimerId, StartedEventId = started.EventId, FireAt = at };
                _dues.Enqueue(new Due(DueKind.Timer, e.RunId, t.TimerId, started.EventId, at), at);
                break;
            }

            case DecisionType.CancelTimer:
            {
                var id = d.CancelTimerDecisionAttributes!.TimerId;
                if (!e.Timers.Remove(id, out var t))
                {
                    AddEvent(e, EventType.CancelTimerFailed, ev => ev.CancelTimerFailedEventAttributes = new()
                    {
                        TimerId = id, Cause = CancelTimerFailedCause.TimerIdUnknown, DecisionTaskCompletedEventId = dtc,
                    });
                    b.ScheduleDecision = true;
                    break;
                }
                AddEvent(e, EventType.TimerCanceled, ev => ev.TimerCanceledEventAttributes = new()
                {
                    TimerId = id, StartedEventId = t.StartedEventId, DecisionTaskCompletedEventId = dtc,
                });
                break;
            }

            case DecisionType.RecordMarker:
            {
                var m = d.RecordMarkerDecisionAttributes!;
                AddEvent(e, EventType.MarkerRecorded, ev => ev.MarkerRecordedEventAttributes = new()
                {
                    MarkerName = m.MarkerName, Details = m.Details, DecisionTaskCompletedEventId = dtc,
                });
                break;
            }

            case DecisionType.ScheduleLambdaFunction:
            {
                // Flow.Local runs no Lambda functions.
                var l = d.ScheduleLambdaFunctionDecisionAttributes!;
                AddEvent(e, EventType.ScheduleLambdaFunctionFailed, ev => ev.ScheduleLambdaFunctionFailedEventAttributes = new()
                {
                    Id = l.Id, Name = l.Name, Cause = ScheduleLambdaFunctionFailedCause.LambdaServiceNotAvailableInRegion, DecisionTaskCompletedEventId = dtc,
                });
                b.ScheduleDecision = true;
                break;
            }

            case DecisionType.StartChildWorkflowExecution:
                StartChild(b, d.StartChildWorkflowExecutionDecisionAttributes!);
                break;

            case DecisionType.SignalExternalWorkflowExecution:
                SignalExternal(b, d.SignalExternalWorkflowExecutionDecisionAttributes!);
                break;

            case DecisionType.RequestCancelExternalWorkflowExecution:
                CancelExternal(b, d.RequestCancelExternalWorkflowExecutionDecisionAttributes!);
                break;

            case DecisionType.CompleteWorkflowExecution:
            {
                var c = d.CompleteWorkflowExecutionDecisionAttributes ?? new();
                if (unhandled)
                {
                    AddEvent(e, EventType.CompleteWorkflowExecutionFailed, ev => ev.CompleteWorkflowExecutionFailedEventAttributes = new()
                    {
                        Cause = CompleteWorkflowExecutionFailedCause.UnhandledDecision, DecisionTaskCompletedEventId = dtc,
                    });
                    b.ScheduleDecision = true;
                    break;
                }
                b.Close = () =>
                {
                    AddEvent(e, EventType.WorkflowExecutionCompleted, ev => ev.WorkflowExecutionCompletedEventAttributes = new()
                    {
                        Result = c.Result, DecisionTaskCompletedEventId = dtc,
                    });
                    Close(e, CloseStatus.Completed, e.ChildPolicy, new CloseDetails(Result: c.Result));
                };
                break;
            }

            case DecisionType.FailWorkflowExecution:
            {
                var f = d.FailWorkflowExecutionDecisionAttributes ?? new();
                if (unhandled)
                {
                    AddEvent(e, EventType.FailWorkflowExecutionFailed, ev => ev.FailWorkflowExecutionFailedEventAttributes = new()
                    {
                        Cause = FailWorkflowExecutionFailedCause.UnhandledDecision, DecisionTaskCompletedEventId = dtc,
                    });
                    b.ScheduleDecision = true;
                    break;
                }
                b.Close = () =>
                {
                    AddEvent(e, EventType.WorkflowExecutionFailed, ev => ev.WorkflowExecutionFailedEventAttributes = new()
                    {
                        Reason = f.Reason, Details = f.Details, DecisionTaskCompletedEventId = dtc,
                    });
                    Close(e, CloseStatus.Failed, e.ChildPolicy, new CloseDetails(Reason: f.Reason, Details: f.Details));
                };
                break;
            }

            case DecisionType.CancelWorkflowExecution:
            {
                var c = d.CancelWorkflowExecutionDecisionAttributes ?? new();
                if (unhandled)
                {
                    AddEvent(e, EventType.CancelWorkflowExecutionFailed, ev => ev.CancelWorkflowExecutionFailedEventAttributes = new()
                    {
                        Cause = CancelWorkflowExecutionFailedCause.UnhandledDecision, DecisionTaskCompletedEventId = dtc,
                    });
                    b.ScheduleDecision = true;
                    break;
                }
                b.Close = () =>
                {
                    AddEvent(e, EventType.WorkflowExecutionCanceled, ev => ev.WorkflowExecutionCanceledEventAttributes = new()
                    {
                        Details = c.Details, DecisionTaskCompletedEventId = dtc,
                    });
                    Close(e, CloseStatus.Canceled, e.ChildPolicy, new CloseDetails(Details: c.Details));
                };
                break;
            }

            case DecisionType.ContinueAsNewWorkflowExecution:
                ContinueAsNew(b, d.ContinueAsNewWorkflowExecutionDecisionAttributes ?? new(), unhandled);
                break;
        }
    }

    void ScheduleActivity(Batch b, ScheduleActivityTaskDecisionAttributes s)
    {
        var e = b.Execution;
        var type = FindType(e.Domain, "a", s.ActivityType.Name, s.ActivityType.Version);
        var c = type?.Activity ?? new ActivityTypeConfiguration();
        var taskList = s.TaskList?.Name ?? c.DefaultTaskList?.Name;
        var s2s = s.ScheduleToStartTimeout ?? c.DefaultTaskScheduleToStartTimeout;
        var s2c = s.ScheduleToCloseTimeout ?? c.DefaultTaskScheduleToCloseTimeout;
        var stc = s.StartToCloseTimeout ?? c.DefaultTaskStartToCloseTimeout;
        var hb = s.HeartbeatTimeout ?? c.DefaultTaskHeartbeatTimeout;
        ScheduleActivityTaskFailedCause? cause =
            type is null ? ScheduleActivityTaskFailedCause.ActivityTypeDoesNotExist
            : type.Status == RegistrationStatus.Deprecated ? ScheduleActivityTaskFailedCause.ActivityTypeDeprecated
            : e.Activities.ContainsKey(s.ActivityId) ? ScheduleActivityTaskFailedCause.ActivityIdAlreadyInUse
            : e.Activities.Count >= OpenLimit ? ScheduleActivityTaskFailedCause.OpenActivitiesLimitExceeded
            : taskList is null ? ScheduleActivityTaskFailedCause.DefaultTaskListUndefined
            : s2s is null ? ScheduleActivityTaskFailedCause.DefaultScheduleToStartTimeoutUndefined
            : s2c is null ? ScheduleActivityTaskFailedCause.DefaultScheduleToCloseTimeoutUndefined
            : stc is null ? ScheduleActivityTaskFailedCause.DefaultStartToCloseTimeoutUndefined
            : hb is null ? ScheduleActivityTaskFailedCause.DefaultHeartbeatTimeoutUndefined
            : null;
        if (cause is { } why)
        {
            AddEvent(e, EventType.ScheduleActivityTaskFailed, ev => ev.ScheduleActivityTaskFailedEventAttributes = new()
            {
                ActivityType = s.ActivityType, ActivityId = s.ActivityId, Cause = why, DecisionTaskCompletedEventId = b.CompletedEventId,
            });
            b.ScheduleDecision = true;
            return;
        }
        var priority = s.TaskPriority ?? c.DefaultTaskPriority;
        var ev = AddEvent(e, EventType.ActivityTaskScheduled, ev => ev.ActivityTaskScheduledEventAttributes = new()
        {
            ActivityType = s.ActivityType, ActivityId = s.ActivityId, Input = s.Input, Control = s.Control,
            ScheduleToStartTimeout = s2s, ScheduleToCloseTimeout = s2c, StartToCloseTimeout = stc, HeartbeatTimeout = hb,
            TaskList = new TaskList { Name = taskList! }, TaskPriority = priority, DecisionTaskCompletedEventId = b.CompletedEventId,
        });
        var at = ev.EventTimestamp;
        var a = new ActivityState
        {
            ActivityId = s.ActivityId, ActivityType = s.ActivityType, ScheduledEventId = ev.EventId, Input = s.Input, TaskList = taskList!,
            Priority = Priority(priority), ScheduledAt = at,
            ScheduleToStartDue = at + Duration(s2s!), ScheduleToCloseDue = at + Duration(s2c!),
            StartToClose = Duration(stc!), Heartbeat = Duration(hb!),
        };
        e.Activities[a.ActivityId] = a;
        e.LatestActivityTaskTimestamp = at;
        EnqueueActivityDues(e, a);
        b.Offers.Add(a);
    }

    /// <summary>Checks a new run's type and defaults, as StartChildWorkflowExecution and ContinueAsNew do.</summary>
    (TypeState? Type, string? Esc, string? TaskList, string? Tsc, ChildPolicy? Policy, StartChildWorkflowExecutionFailedCause? Cause) ResolveRun(
        string domain, WorkflowType type, string? esc, TaskList? taskList, string? tsc, ChildPolicy? policy)
    {
        var t = FindType(domain, "w", type.Name, type.Version);
        var c = t?.Workflow ?? new WorkflowTypeConfiguration();
        esc ??= c.DefaultExecutionStartToCloseTimeout;
        var list = taskList?.Name ?? c.DefaultTaskList?.Name;
        tsc ??= c.DefaultTaskStartToCloseTimeout;
        policy ??= c.DefaultChildPolicy;
        StartChildWorkflowExecutionFailedCause? cause =
            t is null ? StartChildWorkflowExecutionFailedCause.WorkflowTypeDoesNotExist
            : t.Status == RegistrationStatus.Deprecated ? StartChildWorkflowExecutionFailedCause.WorkflowTypeDeprecated
            : esc is null ? StartChildWorkflowExecutionFailedCause.DefaultExecutionStartToCloseTimeoutUndefined
            : list is null ? StartChildWorkflowExecutionFailedCause.DefaultTaskListUndefined
            : tsc is null ? StartChildWorkflowExecutionFailedCause.DefaultTaskStartToCloseTimeoutUndefined
            : policy is null ? StartChildWorkflowExecutionFailedCause.DefaultChildPolicyUndefined
            : null;
        return (t, esc, list, tsc, policy, cause);
    }

    void StartChild(Batch b, StartChildWorkflowExecutionDecisionAttributes s)
    {
        var e = b.Execution;
        var dtc = b.CompletedEventId;
        var (type, esc, list, tsc, policy, cause) = ResolveRun(e.Domain, s.WorkflowType, s.ExecutionStartToCloseTimeout, s.TaskList,
            s.TaskStartToCloseTimeout, s.ChildPolicy);
        if (cause is null && e.Children.Count >= OpenLimit)
            cause = StartChildWorkflowExecutionFailedCause.OpenChildrenLimitExceeded;
        if (cause is { } why)
        {
            AddEvent(e, EventType.StartChildWorkflowExecutionFailed, ev => ev.StartChildWorkflowExecutionFailedEventAttributes = new()
            {
                WorkflowType = s.WorkflowType, Cause = why, WorkflowId = s.WorkflowId, InitiatedEventId = 0,
                DecisionTaskCompletedEventId = dtc, Control = s.Control,
            });
            b.ScheduleDecision = true;
            return;
        }
        var priority = s.TaskPriority ?? type!.Workflow!.DefaultTaskPriority;
        var lambdaRole = s.LambdaRole ?? type!.Workflow!.DefaultLambdaRole;
        var initiated = AddEvent(e, EventType.StartChildWorkflowExecutionInitiated, ev => ev.StartChildWorkflowExecutionInitiatedEventAttributes = new()
        {
            WorkflowId = s.WorkflowId, WorkflowType = s.WorkflowType, Control = s.Control, Input = s.Input, ExecutionStartToCloseTimeout = esc,
            TaskList = new TaskList { Name = list! }, TaskPriority = priority, DecisionTaskCompletedEventId = dtc, ChildPolicy = policy!.Value,
            TaskStartToCloseTimeout = tsc, TagList = s.TagList, LambdaRole = lambdaRole,
        }).EventId;
        var entry = new ChildState { InitiatedEventId = initiated, WorkflowId = s.WorkflowId, WorkflowType = s.WorkflowType };
        e.Children[initiated] = entry;
        b.Post.Add(() =>
        {
            StartChildWorkflowExecutionFailedCause? refused =
                _openByWorkflowId.ContainsKey((e.Domain, s.WorkflowId)) ? StartChildWorkflowExecutionFailedCause.WorkflowAlreadyRunning
                : OpenCount(e.Domain) >= OpenExecutionLimit ? StartChildWorkflowExecutionFailedCause.OpenWorkflowsLimitExceeded
                : null;
            if (refused is { } why)
            {
                e.Children.Remove(initiated);
                AddEvent(e, EventType.StartChildWorkflowExecutionFailed, ev => ev.StartChildWorkflowExecutionFailedEventAttributes = new()
                {
                    WorkflowType = s.WorkflowType, Cause = why, WorkflowId = s.WorkflowId,
                    InitiatedEventId = initiated, DecisionTaskCompletedEventId = dtc, Control = s.Control,
                });
                b.ScheduleDecision = true;
                return;
            }
            var child = StartRun(new RunSpec(e.Domain, s.WorkflowId, NewRunId(), s.WorkflowType, s.Input, esc!, tsc!, list!, priority, policy!.Value,
                s.TagList, lambdaRole, new WorkflowExecution { WorkflowId = e.WorkflowId, RunId = e.RunId }, initiated));
            entry.RunId = child.RunId;
            entry.StartedEventId = AddEvent(e, EventType.ChildWorkflowExecutionStarted, ev => ev.ChildWorkflowExecutionStartedEventAttributes = new()
            {
                WorkflowExecution = new WorkflowExecution { WorkflowId = child.WorkflowId, RunId = child.RunId },
                WorkflowType = s.WorkflowType, InitiatedEventId = initiated,
            }).EventId;
            b.ScheduleDecision = true;
        });
    }

    void ContinueAsNew(Batch b, ContinueAsNewWorkflowExecutionDecisionAttributes s, bool unhandled)
    {
        var e = b.Execution;
        var dtc = b.CompletedEventId;
        var wt = new WorkflowType { Name = e.WorkflowType.Name, Version = s.WorkflowTypeVersion ?? e.WorkflowType.Version };
        var (type, esc, list, tsc, policy, resolved) = ResolveRun(e.Domain, wt, s.ExecutionStartToCloseTimeout, s.TaskList, s.TaskStartToCloseTimeout, s.ChildPolicy);
        ContinueAsNewWorkflowExecutionFailedCause? cause = unhandled ? ContinueAsNewWorkflowExecutionFailedCause.UnhandledDecision : resolved switch
        {
            null => null,
            StartChildWorkflowExecutionFailedCause.WorkflowTypeDoesNotExist => ContinueAsNewWorkflowExecutionFailedCause.WorkflowTypeDoesNotExist,
            StartChildWorkflowExecutionFailedCause.WorkflowTypeDeprecated => ContinueAsNewWorkflowExecutionFailedCause.WorkflowTypeDeprecated,
            StartChildWorkflowExecutionFailedCause.DefaultExecutionStartToCloseTimeoutUndefined => ContinueAsNewWorkflowExecutionFailedCause.DefaultExecutionStartToCloseTimeoutUndefined,
            StartChildWorkflowExecutionFailedCause.DefaultTaskListUndefined => ContinueAsNewWorkflowExecutionFailedCause.DefaultTaskListUndefined,
            StartChildWorkflowExecutionFailedCause.DefaultTaskStartToCloseTimeoutUndefined => ContinueAsNewWorkflowExecutionFailedCause.DefaultTaskStartToCloseTimeoutUndefined,
            _ => ContinueAsNewWorkflowExecutionFailedCause.DefaultChildPolicyUndefined,
        };
        if (cause is { } why)
        {
            AddEvent(e, EventType.ContinueAsNewWorkflowExecutionFailed, ev => ev.ContinueAsNewWorkflowExecutionFailedEventAttributes = new()
            {
                Cause = why, DecisionTaskCompletedEventId = dtc,
            });
            b.ScheduleDecision = true;
            return;
        }
        var priority = s.TaskPriority ?? type!.Workflow!.DefaultTaskPriority;
        var lambdaRole = s.LambdaRole ?? type!.Workflow!.DefaultLambdaRole;
        b.Close = () =>
        {
            var runId = NewRunId();
            AddEvent(e, EventType.WorkflowExecutionContinuedAsNew, ev => ev.WorkflowExecutionContinuedAsNewEventAttributes = new()
            {
                Input = s.Input, DecisionTaskCompletedEventId = dtc, NewExecutionRunId = runId, ExecutionStartToCloseTimeout = esc,
                TaskList = new TaskList { Name = list! }, TaskPriority = priority, TaskStartToCloseTimeout = tsc, ChildPolicy = policy!.Value,
                TagList = s.TagList, WorkflowType = wt, LambdaRole = lambdaRole,
            });
            var next = StartRun(new RunSpec(e.Domain, e.WorkflowId, runId, wt, s.Input, esc!, tsc!, list!, priority, policy!.Value, s.TagList, lambdaRole,
                e.Parent, e.ParentInitiatedEventId, e.RunId));
            Close(e, CloseStatus.ContinuedAsNew, e.ChildPolicy, new CloseDetails(), continuedAs: next);
        };
    }

    void SignalExternal(Batch b, SignalExternalWorkflowExecutionDecisionAttributes s)
    {
        var e = b.Execution;
        var dtc = b.CompletedEventId;
        var initiated = AddEvent(e, EventType.SignalExternalWorkflowExecutionInitiated, ev => ev.SignalExternalWorkflowExecutionInitiatedEventAttributes = new()
        {
            WorkflowId = s.WorkflowId, RunId = s.RunId, SignalName = s.SignalName, Input = s.Input, DecisionTaskCompletedEventId = dtc, Control = s.Control,
        }).EventId;
        b.Post.Add(() =>
        {
            var target = FindOpen(e.Domain, s.WorkflowId, s.RunId);
            if (target is null)
            {
                AddEvent(e, EventType.SignalExternalWorkflowExecutionFailed, ev => ev.SignalExternalWorkflowExecutionFailedEventAttributes = new()
                {
                    WorkflowId = s.WorkflowId, RunId = s.RunId, Cause = SignalExternalWorkflowExecutionFailedCause.UnknownExternalWorkflowExecution,
                    InitiatedEventId = initiated, DecisionTaskCompletedEventId = dtc, Control = s.Control,
                });
                b.ScheduleDecision = true;
                return;
            }
            AddEvent(target, EventType.WorkflowExecutionSignaled, ev => ev.WorkflowExecutionSignaledEventAttributes = new()
            {
                SignalName = s.SignalName, Input = s.Input, ExternalInitiatedEventId = initiated,
                ExternalWorkflowExecution = new WorkflowExecution { WorkflowId = e.WorkflowId, RunId = e.RunId },
            });
            if (target != e)
                ScheduleDecision(target);
            AddEvent(e, EventType.ExternalWorkflowExecutionSignaled, ev => ev.ExternalWorkflowExecutionSignaledEventAttributes = new()
            {
                WorkflowExecution = new WorkflowExecution { WorkflowId = target.WorkflowId, RunId = target.RunId }, InitiatedEventId = initiated,
            });
            b.ScheduleDecision = true;
        });
    }

    void CancelExternal(Batch b, RequestCancelExternalWorkflowExecutionDecisionAttributes s)
    {
        var e = b.Execution;
        var dtc = b.CompletedEventId;
        var initiated = AddEvent(e, EventType.RequestCancelExternalWorkflowExecutionInitiated,
            ev => ev.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes = new()
            {
                WorkflowId = s.WorkflowId, RunId = s.RunId, DecisionTaskCompletedEventId = dtc, Control = s.Control,
            }).EventId;
        b.Post.Add(() =>
        {
            var target = FindOpen(e.Domain, s.WorkflowId, s.RunId);
            if (target is null)
            {
                AddEvent(e, EventType.RequestCancelExternalWorkflowExecutionFailed, ev => ev.RequestCancelExternalWorkflowExecutionFailedEventAttributes = new()
                {
                    WorkflowId = s.WorkflowId, RunId = s.RunId, Cause = RequestCancelExternalWorkflowExecutionFailedCause.UnknownExternalWorkflowExecution,
                    InitiatedEventId = initiated, DecisionTaskCompletedEventId = dtc, Control = s.Control,
                });
                b.ScheduleDecision = true;
                return;
            }
            target.CancelRequested = true;
            AddEvent(target, EventType.WorkflowExecutionCancelRequested, ev => ev.WorkflowExecutionCancelRequestedEventAttributes = new()
            {
                ExternalWorkflowExecution = new WorkflowExecution { WorkflowId = e.WorkflowId, RunId = e.RunId }, ExternalInitiatedEventId = initiated,
            });
            if (target != e)
                ScheduleDecision(target);
            AddEvent(e, EventType.ExternalWorkflowExecutionCancelRequested, ev => ev.ExternalWorkflowExecutionCancelRequestedEventAttributes = new()
            {
                WorkflowExecution = new WorkflowExecution { WorkflowId = target.WorkflowId, RunId = target.RunId }, InitiatedEventId = initiated,
            });
            b.ScheduleDecision = true;
        });
    }
}
