using Flow.Local;
using Flow.Swf;
using Microsoft.Extensions.Logging;

namespace Flow.Testing;

/// <summary>Options of a <see cref="WorkflowTestEnvironment"/>.</summary>
public sealed record WorkflowTestEnvironmentOptions
{
    public string Domain { get; init; } = "flow-test";

    /// <summary>Where virtual time starts.</summary>
    public DateTimeOffset StartTime { get; init; } = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Replay every run from its full history when the environment is disposed, and throw
    /// <see cref="WorkflowReplayException"/> when the workflow code no longer matches a history it wrote.</summary>
    public bool ReplayOnDispose { get; init; } = true;

    /// <summary>A running activity holds virtual time still (the default), so an activity's own timeouts never fire
    /// under it while it works. Set false to let time skip while activities run, e.g. to test timeouts of fakes
    /// that never finish without calling <see cref="WorkflowTestEnvironment.SkipAsync"/>.</summary>
    public bool ActivitiesHoldTime { get; init; } = true;

    /// <summary>How long (real time) <see cref="WorkflowTestEnvironment.SkipAsync"/> waits for the workers to go idle.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public ILoggerFactory? LoggerFactory { get; init; }
}

/// <summary>
/// An in-memory SWF (<see cref="LocalSwf"/>) on virtual time, with real workflow and activity workers in process.
/// Register workflows and activities, then start runs through <see cref="Client"/> (or the generated clients over it).
/// While a test waits for a result and every worker is idle, with only timers and timeouts pending, virtual time
/// jumps to the next of them: a 30-day timer takes milliseconds. <see cref="SkipAsync"/> moves time by hand.
/// Disposing replays every run against the registered workflow code and throws on a divergence.
/// </summary>
public sealed class WorkflowTestEnvironment : IAsyncDisposable
{
    private const int Pollers = 1;
    private readonly WorkflowTestEnvironmentOptions _options;
    private readonly VirtualClock _clock;
    private readonly LocalSwf _engine;
    private readonly ISwfClient _local;
    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.NoRecursion);
    private readonly WaiterClock _waiterClock;
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly Dictionary<(string Name, string Version), WorkflowHandler> _workflows = [];
    private readonly Dictionary<(string Name, string Version), ActivityHandler> _activities = [];
    private readonly List<WorkerEntry> _workers = [];
    private readonly List<ActivityDefinition> _typesOnly = [];
    private readonly HashSet<(string RunId, long StartedEventId)> _seen = [];
    private readonly TaskCompletionSource _heldByActivity = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _startLock = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _start;
    private Task? _driver;
    private int _disposed;

    public WorkflowTestEnvironment(WorkflowTestEnvironmentOptions? options = null)
    {
        _options = options ?? new WorkflowTestEnvironmentOptions();
        _clock = new VirtualClock(_options.StartTime);
        _clock.Watching = true;
        // Polls hold "forever" in virtual time: holds never make time move, and shutdown cancels the polls.
        _engine = new LocalSwf(new LocalSwfOptions { TimeProvider = _clock, LongPollHold = TimeSpan.FromDays(400) });
        _clock.Watching = false;
        if (_clock.Watched.Count != 1)
            throw new InvalidOperationException(
                $"Flow.Testing expected the local engine to create one timer for its timeouts when constructed, found {_clock.Watched.Count}.");
        _local = _engine.Client;
        _waiterClock = new WaiterClock(this);
        Swf = new StartingSwfClient(this, new GatedSwfClient(this, _local));
        Client = new WorkflowClient(Swf, _options.Domain)
        {
            TimeProvider = _waiterClock,
            ResultPollInitialInterval = TimeSpan.FromMilliseconds(1),
            ResultPollMaxInterval = TimeSpan.FromMilliseconds(5),
        };
    }

    public string Domain => _options.Domain;

    /// <summary>The engine, as SWF; the first call starts the workers.</summary>
    public ISwfClient Swf { get; }

    /// <summary>Start runs with it, or wrap it in a generated client: <c>new XClient(env.Client)</c>.
    /// Awaiting a result through it lets virtual time skip.</summary>
    public WorkflowClient Client { get; }

    /// <summary>Virtual now.</summary>
    public DateTimeOffset UtcNow => _clock.GetUtcNow();

    /// <summary>Virtual time, for code under test that needs the same clock.</summary>
    public TimeProvider TimeProvider => _clock;

    // ------------------------------------------------------------------ registration

    /// <summary>Registers a workflow type (a generated <c>XDispatch.CreateHandler(() => new MyWorkflow())</c>).</summary>
    public WorkflowTestEnvironment AddWorkflow(WorkflowHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_startLock)
        {
            EnsureNotStarted();
            _workflows[(handler.Definition.Name, handler.Definition.Version)] = handler;
        }
        return this;
    }

    /// <summary>Registers activity handlers (a generated <c>XDispatch.CreateHandlers(() => impl)</c>); a later
    /// registration of the same type replaces an earlier one, so single methods can be faked afterwards.</summary>
    public WorkflowTestEnvironment AddActivities(IEnumerable<ActivityHandler> handlers)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        lock (_startLock)
        {
            EnsureNotStarted();
            foreach (var handler in handlers)
                _activities[(handler.Definition.Name, handler.Definition.Version)] = handler;
        }
        return this;
    }

    /// <summary>Registers (or replaces) one activity type with a fake: <paramref name="invoke"/> gets the encoded input and
    /// returns the encoded result (use <see cref="Payload"/> for both).</summary>
    public WorkflowTestEnvironment AddActivity(ActivityDefinition definition, ActivityInvoker invoke) =>
        AddActivities([new ActivityHandler(definition, invoke)]);

    /// <summary>Registers an activity type that no worker of the environment runs (its tasks wait in their task list
    /// until they time out, or until the test completes them by task token).</summary>
    public WorkflowTestEnvironment AddActivityType(ActivityDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        lock (_startLock)
        {
            EnsureNotStarted();
            _typesOnly.Add(definition);
        }
        return this;
    }

    private void EnsureNotStarted()
    {
        if (_start is not null)
            throw new InvalidOperationException("Register workflows and activities before the environment starts (its first call starts it).");
    }

    // ------------------------------------------------------------------ lifecycle

    /// <summary>Registers the domain and types and starts the workers; the first use of <see cref="Client"/> does it too.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_startLock)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            return _start ??= StartCoreAsync();
        }
    }

    private async Task StartCoreAsync()
    {
        var gated = new GatedSwfClient(this, _local);
        await gated.RegisterDomainAsync(new RegisterDomainInput { Name = Domain, WorkflowExecutionRetentionPeriodInDays = "90" }).ConfigureAwait(false);
        var registration = new FlowRegistration(gated, Domain, _options.LoggerFactory);
        foreach (var definition in _typesOnly)
            await registration.RegisterActivityTypeAsync(definition, definition.DefaultTaskList ?? "default").ConfigureAwait(false);
        foreach (var group in _workflows.Values.GroupBy(h => h.Definition.DefaultTaskList ?? "default"))
        {
            var client = new GatedSwfClient(this, _local);
            var worker = new WorkflowWorker(client, new WorkflowWorkerOptions
            {
                Domain = Domain, TaskList = group.Key, Pollers = Pollers, Identity = "flow-test-decider",
                LoggerFactory = _options.LoggerFactory, ShutdownTimeout = TimeSpan.Zero,
            }, group);
            _workers.Add(new WorkerEntry(client, group.Key, true, () => worker.InFlight, worker.StartAsync, worker.StopAsync));
        }
        foreach (var group in _activities.Values.GroupBy(h => h.Definition.DefaultTaskList ?? "default"))
        {
            var client = new GatedSwfClient(this, _local);
            var worker = new ActivityWorker(client, new ActivityWorkerOptions
            {
                Domain = Domain, TaskList = group.Key, Pollers = Pollers, Identity = "flow-test-worker",
                LoggerFactory = _options.LoggerFactory, ShutdownTimeout = TimeSpan.Zero,
                ShutdownCancelGrace = TimeSpan.FromMilliseconds(100),
            }, group);
            _workers.Add(new WorkerEntry(client, group.Key, false, () => worker.InFlight, worker.StartAsync, worker.StopAsync));
        }
        foreach (var w in _workers)
            await w.Start(CancellationToken.None).ConfigureAwait(false);
        _driver = Task.Run(DriveAsync);
    }

    /// <summary>Stops the workers, replays every run (unless turned off) and throws <see cref="WorkflowReplayException"/>
    /// when a run's history no longer matches its workflow code.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        Task? start;
        lock (_startLock)
            start = _start;
        List<ReplayResult> failures = [];
        try
        {
            _stop.Cancel();
            Wake();
            if (start is not null)
            {
                try
                {
                    await start.ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // Reported where it was awaited.
                }
                if (_driver is not null)
                    await _driver.ConfigureAwait(false);
                foreach (var w in _workers)
                    await w.Stop(CancellationToken.None).ConfigureAwait(false);
                if (_options.ReplayOnDispose)
                    failures = await ReplayAllAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _engine.Dispose();
        }
        if (failures.Count > 0)
            throw new WorkflowReplayException(failures);
    }

    /// <summary>Replays every run of the domain against the registered workflows; the results of those that diverged.</summary>
    public async Task<List<ReplayResult>> ReplayAllAsync(CancellationToken cancellationToken = default)
    {
        var replayer = new WorkflowReplayer(_workflows.Values) { LoggerFactory = _options.LoggerFactory };
        var raw = new WorkflowClient(_local, Domain);
        List<ReplayResult> failures = [];
        var runs = new List<WorkflowExecutionInfo>();
        await foreach (var info in raw.ListClosedAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
            runs.Add(info);
        await foreach (var info in raw.ListOpenAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
            runs.Add(info);
        foreach (var info in runs)
        {
            if (!_workflows.ContainsKey((info.WorkflowType.Name, info.WorkflowType.Version)))
                continue;
            var events = await raw.GetHistoryAsync(info.Execution, cancellationToken).ConfigureAwait(false);
            var result = replayer.Replay(events, info.Execution);
            if (!result.Succeeded)
                failures.Add(result);
        }
        return failures;
    }

    // ------------------------------------------------------------------ time

    /// <summary>Moves virtual time forward by <paramref name="duration"/>. Whatever comes due on the way fires in order,
    /// and the workers get to react (until they are idle) before time moves on to the next due time.
    /// Running activities do not hold time here.</summary>
    public async Task SkipAsync(TimeSpan duration, CancellationToken cancellationToken = default)
    {
        if (duration < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "Time only moves forward.");
        await StartAsync(cancellationToken).ConfigureAwait(false);
        var target = UtcNow + duration;
        while (true)
        {
            await WaitIdleAsync(strict: false, cancellationToken).ConfigureAwait(false);
            _gate.EnterWriteLock();
            try
            {
                if (!Idle(strict: false))
                    continue;
                var next = _clock.NextDue(_clock.Watched);
                if (next is { } due && due <= target)
                {
                    _clock.AdvanceTo(due);
                    continue;
                }
                _clock.AdvanceTo(target);
            }
            finally
            {
                _gate.ExitWriteLock();
            }
            await WaitIdleAsync(strict: false, cancellationToken).ConfigureAwait(false);
            return;
        }
    }

    /// <summary>Waits (real time) until every worker is idle: nothing pending or in flight.</summary>
    public async Task WaitIdleAsync(CancellationToken cancellationToken = default)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        await WaitIdleAsync(strict: true, cancellationToken).ConfigureAwait(false);
    }

    private async Task WaitIdleAsync(bool strict, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)_options.IdleTimeout.TotalMilliseconds;
        while (!IdleNow(strict))
        {
            if (Environment.TickCount64 > deadline)
                throw new TimeoutException($"The workers were not idle after {_options.IdleTimeout} (real time).");
            await _wake.WaitAsync(TimeSpan.FromMilliseconds(2), cancellationToken).ConfigureAwait(false);
        }
    }

    private bool IdleNow(bool strict)
    {
        _gate.EnterWriteLock();
        try
        {
            return Idle(strict);
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    /// <summary>Every poller of every worker is parked in the engine with nothing handed to it, no task is pending on a
    /// worker's list, and no decision (and, when <paramref name="strict"/>, no activity) is being worked on.
    /// Called under the exclusive gate, so no call is inside the engine; but a task the engine handed to a parked poll
    /// before it still travels to its worker meanwhile (handed, seen by the poll, poll returned, task in flight). So the
    /// checks run against that direction: a task that moves on between two checks is caught by the later one. (Checked
    /// the other way round, a task handed over looked parked, then seen, and time moved under it.)</summary>
    private bool Idle(bool strict)
    {
        foreach (var w in _workers)
        {
            var pending = w.Decider
                ? _engine.CountPendingDecisionTasks(new CountPendingDecisionTasksInput { Domain = Domain, TaskList = new TaskList { Name = w.TaskList } })
                : _engine.CountPendingActivityTasks(new CountPendingActivityTasksInput { Domain = Domain, TaskList = new TaskList { Name = w.TaskList } });
            if (pending.Count > 0)
                return false;
        }
        if (!AllHandOffsSeen())
            return false;
        foreach (var w in _workers)
        {
            if (!w.Client.AllParked(Pollers))
                return false;
            if ((w.Decider || (strict && _options.ActivitiesHoldTime)) && w.InFlight() > 0)
                return false;
        }
        return true;
    }

    /// <summary>Every decision and activity task the engine has started (per the open runs' histories) has reached its
    /// worker. A task handed to a parked poll reaches the worker a thread hop later; until then time must not move.</summary>
    private bool AllHandOffsSeen()
    {
        var open = _engine.ListOpenWorkflowExecutions(new ListOpenWorkflowExecutionsInput
        {
            Domain = Domain, StartTimeFilter = new ExecutionTimeFilter { OldestDate = DateTimeOffset.UnixEpoch },
        });
        foreach (var info in open.ExecutionInfos)
        {
            var started = new HashSet<long>();
            string? token = null;
            do
            {
                var page = _engine.GetWorkflowExecutionHistory(new GetWorkflowExecutionHistoryInput
                {
                    Domain = Domain, Execution = info.Execution, MaximumPageSize = 1000, NextPageToken = token,
                });
                foreach (var e in page.Events)
                {
                    switch (e.EventType)
                    {
                        case EventType.DecisionTaskStarted:
                        case EventType.ActivityTaskStarted:
                            started.Add(e.EventId);
                            break;
                        case EventType.DecisionTaskCompleted: started.Remove(e.DecisionTaskCompletedEventAttributes!.StartedEventId); break;
                        case EventType.DecisionTaskTimedOut: started.Remove(e.DecisionTaskTimedOutEventAttributes!.StartedEventId); break;
                        case EventType.ActivityTaskCompleted: started.Remove(e.ActivityTaskCompletedEventAttributes!.StartedEventId); break;
                        case EventType.ActivityTaskFailed: started.Remove(e.ActivityTaskFailedEventAttributes!.StartedEventId); break;
                        case EventType.ActivityTaskTimedOut: started.Remove(e.ActivityTaskTimedOutEventAttributes!.StartedEventId); break;
                        case EventType.ActivityTaskCanceled: started.Remove(e.ActivityTaskCanceledEventAttributes!.StartedEventId); break;
                    }
                }
                token = page.NextPageToken;
            }
            while (!string.IsNullOrEmpty(token));
            lock (_seen)
            {
                foreach (var id in started)
                    if (!_seen.Contains((info.Execution.RunId, id)))
                        return false;
            }
        }
        return true;
    }

    private bool AnyOpen() =>
        _engine.CountOpenWorkflowExecutions(new CountOpenWorkflowExecutionsInput
        {
            Domain = Domain, StartTimeFilter = new ExecutionTimeFilter { OldestDate = DateTimeOffset.UnixEpoch },
        }).Count > 0;

    internal void Seen(object task)
    {
        var key = task switch
        {
            DecisionTask { TaskToken.Length: > 0 } d => (d.WorkflowExecution.RunId, d.StartedEventId),
            ActivityTask { TaskToken.Length: > 0 } a => (a.WorkflowExecution.RunId, a.StartedEventId),
            _ => default,
        };
        if (key.RunId is not null)
            lock (_seen)
                _seen.Add(key);
    }

    /// <summary>Completes the first time the environment would have skipped time but a running activity held it.</summary>
    internal Task HeldByActivity => _heldByActivity.Task;

    /// <summary>The time-skipping loop: while a test waits for a result and everything is idle, jump to the next due time.</summary>
    private async Task DriveAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(TimeSpan.FromMilliseconds(3), _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (!_waiterClock.SomeoneWaits)
                continue;
            _gate.EnterWriteLock();
            try
            {
                if (_stop.IsCancellationRequested || !Idle(strict: true))
                {
                    if (_options.ActivitiesHoldTime && !_stop.IsCancellationRequested && Idle(strict: false))
                        _heldByActivity.TrySetResult();
                    continue;
                }
                // The engine keeps the due times of closed runs until they pass; with no run open, nothing is due.
                if (_clock.NextDue(_clock.Watched) is { } due && AnyOpen())
                    _clock.AdvanceTo(due);
            }
            finally
            {
                _gate.ExitWriteLock();
            }
        }
    }

    internal T Call<T>(Func<T> body) where T : Task
    {
        _gate.EnterReadLock();
        try
        {
            return body();
        }
        finally
        {
            _gate.ExitReadLock();
            Wake();
        }
    }

    internal void Wake()
    {
        if (_wake.CurrentCount < 4)
            _wake.Release();
    }

    // ------------------------------------------------------------------ inspection

    /// <summary>Every event of a run, oldest first.</summary>
    public Task<List<HistoryEvent>> GetHistoryAsync(WorkflowExecution execution, CancellationToken cancellationToken = default) =>
        Client.GetHistoryAsync(execution, cancellationToken);

    /// <summary>Sends a signal to a run (the generated run handles have typed ones).</summary>
    public Task SignalAsync(WorkflowExecution execution, string signalName, string? input = null, CancellationToken cancellationToken = default) =>
        Client.SignalAsync(execution, signalName, input, cancellationToken);

    /// <summary>Activities scheduled and not yet closed, in every open run.</summary>
    public async Task<List<PendingActivity>> GetPendingActivitiesAsync(CancellationToken cancellationToken = default)
    {
        var pending = new List<PendingActivity>();
        await foreach (var info in Client.ListOpenAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var events = await Client.GetHistoryAsync(info.Execution, cancellationToken).ConfigureAwait(false);
            var open = new Dictionary<long, PendingActivity>();
            foreach (var e in events)
            {
                switch (e.EventType)
                {
                    case EventType.ActivityTaskScheduled:
                    {
                        var a = e.ActivityTaskScheduledEventAttributes!;
                        open[e.EventId] = new PendingActivity(info.Execution, a.ActivityId, a.ActivityType, a.Input, e.EventId, false);
                        break;
                    }
                    case EventType.ActivityTaskStarted:
                    {
                        var id = e.ActivityTaskStartedEventAttributes!.ScheduledEventId;
                        if (open.TryGetValue(id, out var p))
                            open[id] = p with { Started = true };
                        break;
                    }
                    case EventType.ActivityTaskCompleted: open.Remove(e.ActivityTaskCompletedEventAttributes!.ScheduledEventId); break;
                    case EventType.ActivityTaskFailed: open.Remove(e.ActivityTaskFailedEventAttributes!.ScheduledEventId); break;
                    case EventType.ActivityTaskTimedOut: open.Remove(e.ActivityTaskTimedOutEventAttributes!.ScheduledEventId); break;
                    case EventType.ActivityTaskCanceled: open.Remove(e.ActivityTaskCanceledEventAttributes!.ScheduledEventId); break;
                }
            }
            pending.AddRange(open.Values);
        }
        return pending;
    }

    private sealed record WorkerEntry(GatedSwfClient Client, string TaskList, bool Decider, Func<int> InFlight,
        Func<CancellationToken, Task> Start, Func<CancellationToken, Task> Stop);

    /// <summary>The clock <see cref="Client"/> waits on between checks for a result: real time, short pauses. A wait on it
    /// tells the environment a test is waiting, which is when virtual time may skip.</summary>
    private sealed class WaiterClock(WorkflowTestEnvironment env) : TimeProvider
    {
        private int _waiting;

        public bool SomeoneWaits => Volatile.Read(ref _waiting) > 0;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _waiting);
            env.Wake();
            return new Counted(this, System.CreateTimer(callback, state, dueTime, period));
        }

        private sealed class Counted(WaiterClock owner, ITimer inner) : ITimer
        {
            private int _disposed;

            public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _disposed, 1) == 0)
                    Interlocked.Decrement(ref owner._waiting);
                inner.Dispose();
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }
}

/// <summary>An activity scheduled by an open run and not closed yet.</summary>
public sealed record PendingActivity(WorkflowExecution Execution, string ActivityId, ActivityType ActivityType, string? Input,
    long ScheduledEventId, bool Started);

/// <summary>Runs of the environment whose histories no longer replay against their workflow code.</summary>
public sealed class WorkflowReplayException(IReadOnlyList<ReplayResult> failures)
    : Exception("Replaying the environment's runs found non-determinism:\n" + string.Join("\n", failures.Select(f => "- " + f.Describe())))
{
    public IReadOnlyList<ReplayResult> Failures { get; } = failures;
}
