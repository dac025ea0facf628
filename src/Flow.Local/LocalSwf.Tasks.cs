using System.Globalization;
using Flow.Swf;

namespace Flow.Local;

// Task lists, long polls, activity task responses, and every timeout.
public sealed partial class LocalSwf
{
    static int Priority(string? p) => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;

    /// <summary>Records a DecisionTaskScheduled unless one is already scheduled; SWF keeps at most one.</summary>
    void ScheduleDecision(ExecutionState e)
    {
        if (!e.IsOpen)
            return;
        if (e.DecisionScheduledId != 0)
        {
            MakeDecisionAvailable(e);
            return;
        }
        var list = e.DecisionTaskListOverride ?? e.TaskList;
        var overrideTimeout = e.DecisionTaskListOverride is null ? null : e.DecisionTaskListOverrideTimeout;
        var ev = AddEvent(e, EventType.DecisionTaskScheduled, ev => ev.DecisionTaskScheduledEventAttributes = new()
        {
            TaskList = new TaskList { Name = list }, TaskPriority = e.TaskPriority, StartToCloseTimeout = e.TaskStartToCloseTimeout,
            ScheduleToStartTimeout = overrideTimeout,
        });
        e.DecisionScheduledId = ev.EventId;
        e.DecisionScheduledTaskList = list;
        if (overrideTimeout is not null && Duration(overrideTimeout) is { } d)
        {
            e.DecisionScheduleToStartDue = ev.EventTimestamp + d;
            _dues.Enqueue(new Due(DueKind.DecisionScheduleToStart, e.RunId, null, ev.EventId, ev.EventTimestamp + d), ev.EventTimestamp + d);
        }
        MakeDecisionAvailable(e);
    }

    /// <summary>Puts a scheduled decision task in its task list once no other decision task of the execution is started.</summary>
    void MakeDecisionAvailable(ExecutionState e)
    {
        if (!e.IsOpen || e.DecisionScheduledId == 0 || e.DecisionStartedId != 0 || e.DecisionNode is not null)
            return;
        var list = TaskListOf(e.Domain, 'd', e.DecisionScheduledTaskList);
        Offer(list, new PendingTask(e, null, Priority(e.TaskPriority)), w => StartDecision(e, (PollForDecisionTaskInput)w.Input), n => e.DecisionNode = n);
    }

    void Offer(ExecutionState e, ActivityState a)
    {
        var list = TaskListOf(e.Domain, 'a', a.TaskList);
        Offer(list, new PendingTask(e, a, a.Priority), w => StartActivity(e, a, ((PollForActivityTaskInput)w.Input).Identity),
            n => e.ActivityNodes[a.ActivityId] = n);
    }

    /// <summary>Hands a task to the longest-waiting poller, or queues it by priority (higher first, then first come).</summary>
    void Offer(TaskListState list, PendingTask task, Func<Waiter, object> start, Action<LinkedListNode<PendingTask>> queued)
    {
        if (list.Waiters.First is { } wn)
        {
            list.Waiters.RemoveFirst();
            var w = wn.Value;
            w.Node = null;
            var result = start(w);
            _woken.Add((w, result));
            return;
        }
        var at = list.Tasks.Last;
        while (at is not null && at.Value.Priority < task.Priority)
            at = at.Previous;
        queued(at is null ? list.Tasks.AddFirst(task) : list.Tasks.AddAfter(at, task));
    }

    DecisionTask StartDecision(ExecutionState e, PollForDecisionTaskInput poll)
    {
        e.DecisionNode = null;
        var scheduled = e.DecisionScheduledId;
        var ev = AddEvent(e, EventType.DecisionTaskStarted, ev => ev.DecisionTaskStartedEventAttributes = new()
        {
            Identity = poll.Identity, ScheduledEventId = scheduled,
        });
        e.DecisionStartedId = ev.EventId;
        e.DecisionStartedScheduledId = scheduled;
        e.DecisionScheduledId = 0;
        e.DecisionScheduleToStartDue = null;
        if (Duration(e.TaskStartToCloseTimeout) is { } d)
        {
            e.DecisionStartToCloseDue = ev.EventTimestamp + d;
            _dues.Enqueue(new Due(DueKind.DecisionStartToClose, e.RunId, null, ev.EventId, ev.EventTimestamp + d), ev.EventTimestamp + d);
        }
        var first = poll.StartAtPreviousStartedEvent == true && e.PreviousStartedEventId > 0 ? e.PreviousStartedEventId : 1;
        var previous = e.PreviousStartedEventId.ToString(CultureInfo.InvariantCulture);
        var (events, next) = HistoryPage(e, null, poll.MaximumPageSize, poll.ReverseOrder == true, first, ev.EventId, "p", previous);
        return new DecisionTask
        {
            TaskToken = DecisionToken(e), StartedEventId = ev.EventId,
            WorkflowExecution = new WorkflowExecution { WorkflowId = e.WorkflowId, RunId = e.RunId },
            WorkflowType = e.WorkflowType, Events = events, NextPageToken = next, PreviousStartedEventId = e.PreviousStartedEventId,
        };
    }

    ActivityTask StartActivity(ExecutionState e, ActivityState a, string? identity)
    {
        e.ActivityNodes.Remove(a.ActivityId);
        var ev = AddEvent(e, EventType.ActivityTaskStarted, ev => ev.ActivityTaskStartedEventAttributes = new()
        {
            Identity = identity, ScheduledEventId = a.ScheduledEventId,
        });
        a.StartedEventId = ev.EventId;
        a.ScheduleToStartDue = null;
        if (a.StartToClose is { } stc)
            a.StartToCloseDue = ev.EventTimestamp + stc;
        if (a.Heartbeat is { } hb)
            a.HeartbeatDue = ev.EventTimestamp + hb;
        EnqueueActivityDues(e, a);
        return new ActivityTask
        {
            TaskToken = ActivityToken(e, a), ActivityId = a.ActivityId, StartedEventId = ev.EventId,
            WorkflowExecution = new WorkflowExecution { WorkflowId = e.WorkflowId, RunId = e.RunId },
            ActivityType = a.ActivityType, Input = a.Input,
        };
    }

    void EnqueueActivityDues(ExecutionState e, ActivityState a)
    {
        if (a.StartedEventId == 0 && a.ScheduleToStartDue is { } s2s)
            _dues.Enqueue(new Due(DueKind.ActivityScheduleToStart, e.RunId, a.ActivityId, a.ScheduledEventId, s2s), s2s);
        if (a.ScheduleToCloseDue is { } s2c)
            _dues.Enqueue(new Due(DueKind.ActivityScheduleToClose, e.RunId, a.ActivityId, a.ScheduledEventId, s2c), s2c);
        if (a.StartedEventId != 0 && a.StartToCloseDue is { } stc)
            _dues.Enqueue(new Due(DueKind.ActivityStartToClose, e.RunId, a.ActivityId, a.ScheduledEventId, stc), stc);
        if (a.StartedEventId != 0 && a.HeartbeatDue is { } hb)
            QueueHeartbeat(e, a, hb);
    }

    void QueueHeartbeat(ExecutionState e, ActivityState a, DateTimeOffset at)
    {
        a.HeartbeatQueuedAt = at;
        _dues.Enqueue(new Due(DueKind.ActivityHeartbeat, e.RunId, a.ActivityId, a.ScheduledEventId, at), at);
    }

    // ---- polls ----

    internal async Task<DecisionTask> PollForDecisionTaskAsync(PollForDecisionTaskInput input, CancellationToken cancellationToken)
    {
        Faults.Validate(() => input.Validate(""));
        if (input.NextPageToken is not null)
            return Execute(() => DecisionPage(input));
        var r = await Poll('d', input.Domain, input.TaskList.Name, input, n =>
        {
            var e = n.Execution;
            return StartDecision(e, input);
        }, cancellationToken).ConfigureAwait(false);
        return r as DecisionTask ?? new DecisionTask();
    }

    internal async Task<ActivityTask> PollForActivityTaskAsync(PollForActivityTaskInput input, CancellationToken cancellationToken)
    {
        Faults.Validate(() => input.Validate(""));
        var r = await Poll('a', input.Domain, input.TaskList.Name, input, n => StartActivity(n.Execution, n.Activity!, input.Identity),
            cancellationToken).ConfigureAwait(false);
        return r as ActivityTask ?? new ActivityTask();
    }

    async Task<object?> Poll(char kind, string domain, string taskList, object input, Func<PendingTask, object> start, CancellationToken ct)
    {
        Waiter? waiter = null;
        var task = Execute(() =>
        {
            // A deprecated domain's running executions still need their tasks.
            Domain(domain, mustBeRegistered: false);
            var list = TaskListOf(domain, kind, taskList);
            if (list.Tasks.First is { } node)
            {
                list.Tasks.RemoveFirst();
                DropIfEmpty((domain, kind, taskList));
                return start(node.Value);
            }
            // A held poll that would exceed the quota; polls answered at once (above) are not held. A poll its caller
            // has already given up on is cancelled, as it would be once held.
            if (list.Waiters.Count >= _options.MaxPollersPerTaskList)
                throw ct.IsCancellationRequested ? new OperationCanceledException(ct) : Faults.LimitExceeded(
                    $"{(kind == 'd' ? "Decision" : "Activity")} task list {taskList} already holds {list.Waiters.Count} polls, the most SWF allows at once.");
            waiter = new Waiter(input) { TaskList = (domain, kind, taskList) };
            waiter.Node = list.Waiters.AddLast(waiter);
            return null;
        });
        if (task is not null || waiter is null)
            return task;
        // The hold and the caller's token both withdraw the waiter, unless a task reached it first.
        using var hold = _time.CreateTimer(static s => { var (self, w) = ((LocalSwf, Waiter))s!; self.Withdraw(w, null); },
            (this, waiter), _hold, Timeout.InfiniteTimeSpan);
        using var registration = ct.Register(static s => { var (self, w, t) = ((LocalSwf, Waiter, CancellationToken))s!; self.Withdraw(w, t); },
            (this, waiter, ct));
        return await waiter.Task.ConfigureAwait(false);
    }

    void Withdraw(Waiter w, CancellationToken? canceled)
    {
        lock (_gate)
        {
            if (w.Node?.List is not { } list)
                return;
            list.Remove(w.Node);
            w.Node = null;
            DropIfEmpty(w.TaskList);
        }
        if (canceled is { } t)
            w.Cancel(t);
        else
            w.Complete(null);
    }

    /// <summary>Forgets a task list nobody waits on and nothing is queued in, so arbitrary names leave no trace.</summary>
    void DropIfEmpty((string Domain, char Kind, string Name) key)
    {
        if (_taskLists.TryGetValue(key, out var list) && list.Tasks.Count == 0 && list.Waiters.Count == 0)
            _taskLists.Remove(key);
    }

    int PendingCount(string domain, char kind, string name) => _taskLists.TryGetValue((domain, kind, name), out var list) ? list.Tasks.Count : 0;

    /// <summary>The earliest time a timer or timeout may come due (possibly one that no longer applies), for virtual-time test environments.</summary>
    internal DateTimeOffset? NextDueTime()
    {
        lock (_gate)
            return _dues.TryPeek(out _, out var at) ? at : null;
    }

    /// <summary>Timers and timeouts queued, stale ones included (tests check the queue stays bounded).</summary>
    internal int DueCount
    {
        get
        {
            lock (_gate)
                return _dues.Count;
        }
    }

    /// <summary>A further page of a decision task's history, asked for with the task's nextPageToken.</summary>
    DecisionTask DecisionPage(PollForDecisionTaskInput input)
    {
        Domain(input.Domain, mustBeRegistered: false);
        var p = ReadToken(input.NextPageToken!);
        if (p is not ["p", var runId, _, _, var last, _, var previous] || !_byRunId.TryGetValue(runId, out var e) || e.Domain != input.Domain)
            throw Faults.Validation("Invalid nextPageToken.");
        var (events, next) = HistoryPage(e, input.NextPageToken, input.MaximumPageSize, false, 0, 0, "p", previous);
        return new DecisionTask
        {
            TaskToken = Token(["d", e.RunId, last]), StartedEventId = ParseLong(last),
            WorkflowExecution = new WorkflowExecution { WorkflowId = e.WorkflowId, RunId = e.RunId },
            WorkflowType = e.WorkflowType, Events = events, NextPageToken = next, PreviousStartedEventId = ParseLong(previous),
        };
    }

    internal PendingTaskCount CountPendingDecisionTasks(CountPendingDecisionTasksInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        Domain(input.Domain, mustBeRegistered: false);
        return new PendingTaskCount { Count = PendingCount(input.Domain, 'd', input.TaskList.Name), Truncated = false };
    });

    internal PendingTaskCount CountPendingActivityTasks(CountPendingActivityTasksInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        Domain(input.Domain, mustBeRegistered: false);
        return new PendingTaskCount { Count = PendingCount(input.Domain, 'a', input.TaskList.Name), Truncated = false };
    });

    // ---- activity task responses ----

    internal void RespondActivityTaskCompleted(RespondActivityTaskCompletedInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var (e, a) = ResolveActivityToken(input.TaskToken);
        AddEvent(e, EventType.ActivityTaskCompleted, ev => ev.ActivityTaskCompletedEventAttributes = new()
        {
            Result = input.Result, ScheduledEventId = a.ScheduledEventId, StartedEventId = a.StartedEventId,
        });
        e.Activities.Remove(a.ActivityId);
        ScheduleDecision(e);
    });

    internal void RespondActivityTaskFailed(RespondActivityTaskFailedInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var (e, a) = ResolveActivityToken(input.TaskToken);
        AddEvent(e, EventType.ActivityTaskFailed, ev => ev.ActivityTaskFailedEventAttributes = new()
        {
            Reason = input.Reason, Details = input.Details, ScheduledEventId = a.ScheduledEventId, StartedEventId = a.StartedEventId,
        });
        e.Activities.Remove(a.ActivityId);
        ScheduleDecision(e);
    });

    internal void RespondActivityTaskCanceled(RespondActivityTaskCanceledInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var (e, a) = ResolveActivityToken(input.TaskToken);
        AddEvent(e, EventType.ActivityTaskCanceled, ev => ev.ActivityTaskCanceledEventAttributes = new()
        {
            Details = input.Details, ScheduledEventId = a.ScheduledEventId, StartedEventId = a.StartedEventId,
            LatestCancelRequestedEventId = a.LatestCancelRequestedEventId,
        });
        e.Activities.Remove(a.ActivityId);
        ScheduleDecision(e);
    });

    internal ActivityTaskStatus RecordActivityTaskHeartbeat(RecordActivityTaskHeartbeatInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var (e, a) = ResolveActivityToken(input.TaskToken);
        a.HeartbeatDetails = input.Details;
        if (a.Heartbeat is { } hb)
        {
            // The queued entry, come due early, is queued again for this time: one entry per activity, however
            // often it heartbeats. Only a due time earlier than the entry's (the clock set back) needs another.
            a.HeartbeatDue = Now() + hb;
            if (a.HeartbeatQueuedAt is not { } queued || a.HeartbeatDue < queued)
                QueueHeartbeat(e, a, a.HeartbeatDue.Value);
        }
        Touch(e);
        return new ActivityTaskStatus { CancelRequested = a.LatestCancelRequestedEventId is not null };
    });

    // ---- timeouts and timers ----

    void OnTimer()
    {
        try
        {
            // The timer has fired, so it is armed for nothing: Rearm must set it again even for the same due
            // time (a timer may fire before the clock reads its due time, and then nothing came due).
            Execute(() => _timerAt = null);
        }
        catch (ObjectDisposedException)
        {
        }
        catch (SwfException e) when (e.InnerException is StoreFailedException)
        {
            // What came due could not be saved and is undone; Execute has set the timer to try again shortly.
        }
    }

    /// <summary>Before a call: fires everything due by now; true if that changed anything (stale entries change nothing).</summary>
    bool FireDue()
    {
        if (!_dues.TryPeek(out _, out var at) || at > _time.GetUtcNow())
            return false;
        ProcessDue();
        return !_changes.IsEmpty;
    }

    /// <summary>Fires everything due by now; called before and after every API call, and by the timer.</summary>
    void ProcessDue()
    {
        var now = _time.GetUtcNow();
        while (_dues.TryPeek(out var d, out var at) && at <= now)
        {
            _dues.Dequeue();
            Fire(d);
        }
    }

    static readonly TimeSpan MaxTimerDelay = TimeSpan.FromHours(1);

    /// <summary>How soon timeouts that failed to save are tried again.</summary>
    internal static readonly TimeSpan StoreRetryDelay = TimeSpan.FromSeconds(1);

    void Rearm()
    {
        if (_disposed)
            return;
        DateTimeOffset? next = _dues.TryPeek(out _, out var at) ? at : null;
        if (next == _timerAt)
            return;
        _timerAt = next;
        if (next is { } n)
        {
            // Whole milliseconds, rounded up: timers count milliseconds, and one rounded down fires early.
            // A timer waits at most 2^32-2 ms (49.7 days) and SWF's timeouts reach a year: wake up sooner and
            // re-arm then (OnTimer), which also bounds how late a jump of the wall clock can make a due.
            var delay = n - _time.GetUtcNow();
            delay = delay <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Ceiling(delay.TotalMilliseconds));
            _timer.Change(delay < MaxTimerDelay ? delay : MaxTimerDelay, Timeout.InfiniteTimeSpan);
        }
        else
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    void Fire(Due d)
    {
        if (!_byRunId.TryGetValue(d.RunId, out var e))
            return;
        if (d.Kind == DueKind.Retention)
        {
            if (!e.IsOpen)
                Forget(e);
            return;
        }
        if (!e.IsOpen)
            return;
        switch (d.Kind)
        {
            case DueKind.Execution when e.ExecutionDue == d.At:
                AddEvent(e, EventType.WorkflowExecutionTimedOut, ev => ev.WorkflowExecutionTimedOutEventAttributes = new()
                {
                    TimeoutType = WorkflowExecutionTimeoutType.StartToClose, ChildPolicy = e.ChildPolicy,
                });
                Close(e, CloseStatus.TimedOut, e.ChildPolicy, new CloseDetails());
                break;
            case DueKind.DecisionStartToClose when e.DecisionStartedId == d.EventId && e.DecisionStartToCloseDue == d.At:
                AddEvent(e, EventType.DecisionTaskTimedOut, ev => ev.DecisionTaskTimedOutEventAttributes = new()
                {
                    TimeoutType = DecisionTaskTimeoutType.StartToClose, ScheduledEventId = e.DecisionStartedScheduledId, StartedEventId = d.EventId,
                });
                e.DecisionStartedId = 0;
                e.DecisionStartToCloseDue = null;
                ScheduleDecision(e);
                break;
            case DueKind.DecisionScheduleToStart when e.DecisionScheduledId == d.EventId && e.DecisionScheduleToStartDue == d.At:
                if (e.DecisionNode is { } node)
                {
                    node.List!.Remove(node);
                    e.DecisionNode = null;
                }
                AddEvent(e, EventType.DecisionTaskTimedOut, ev => ev.DecisionTaskTimedOutEventAttributes = new()
                {
                    TimeoutType = DecisionTaskTimeoutType.ScheduleToStart, ScheduledEventId = d.EventId,
                });
                e.DecisionScheduledId = 0;
                e.DecisionScheduleToStartDue = null;
                // The override task list had no taker in time: fall back to the execution's own.
                e.DecisionTaskListOverride = null;
                e.DecisionTaskListOverrideTimeout = null;
                ScheduleDecision(e);
                break;
            case DueKind.Timer when d.Id is not null && e.Timers.TryGetValue(d.Id, out var t) && t.StartedEventId == d.EventId:
                e.Timers.Remove(t.TimerId);
                AddEvent(e, EventType.TimerFired, ev => ev.TimerFiredEventAttributes = new() { TimerId = t.TimerId, StartedEventId = t.StartedEventId });
                ScheduleDecision(e);
                break;
            case DueKind.ActivityScheduleToStart or DueKind.ActivityScheduleToClose or DueKind.ActivityStartToClose or DueKind.ActivityHeartbeat
                when d.Id is not null && e.Activities.TryGetValue(d.Id, out var a) && a.ScheduledEventId == d.EventId:
                var (due, type) = d.Kind switch
                {
                    DueKind.ActivityScheduleToStart => (a.StartedEventId == 0 ? a.ScheduleToStartDue : null, ActivityTaskTimeoutType.ScheduleToStart),
                    DueKind.ActivityScheduleToClose => (a.ScheduleToCloseDue, ActivityTaskTimeoutType.ScheduleToClose),
                    DueKind.ActivityStartToClose => (a.StartToCloseDue, ActivityTaskTimeoutType.StartToClose),
                    _ => (a.HeartbeatDue, ActivityTaskTimeoutType.Heartbeat),
                };
                if (due == d.At)
                    TimeOutActivity(e, a, type);
                else if (d.Kind == DueKind.ActivityHeartbeat && d.At == a.HeartbeatQueuedAt && a.HeartbeatDue is { } later && later > d.At)
                    QueueHeartbeat(e, a, later);
                break;
        }
    }

    void TimeOutActivity(ExecutionState e, ActivityState a, ActivityTaskTimeoutType type)
    {
        if (e.ActivityNodes.Remove(a.ActivityId, out var node))
            node.List!.Remove(node);
        e.Activities.Remove(a.ActivityId);
        AddEvent(e, EventType.ActivityTaskTimedOut, ev => ev.ActivityTaskTimedOutEventAttributes = new()
        {
            TimeoutType = type, ScheduledEventId = a.ScheduledEventId, StartedEventId = a.StartedEventId, Details = a.HeartbeatDetails,
        });
        ScheduleDecision(e);
    }
}
