using Flow.Local;
using Flow.Swf;
using Flow.Workflows;
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

    /// <summary>A running activity holds virtual time still (the default): neither a test waiting for a result nor
    /// <see cref="WorkflowTestEnvironment.SkipAsync"/> moves time while an activity of the environment's workers runs, so
    /// an activity's own timeouts never fire under it while it works. An activity still running after
    /// <see cref="IdleTimeout"/> (real time) fails the wait with a <see cref="VirtualTimeHeldException"/> naming it.
    /// Set false to let time move under activities once they have run for <see cref="RunningActivityGrace"/>, e.g. to
    /// test the timeouts of fakes that never finish.</summary>
    public bool ActivitiesHoldTime { get; init; } = true;

    /// <summary>With <see cref="ActivitiesHoldTime"/> false: how long (real time) a running activity still holds virtual
    /// time, so that quick activities and fakes finish before time moves on; past it, time moves under the activity and
    /// its timeouts fire as SWF's would.</summary>
    public TimeSpan RunningActivityGrace { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long (real time) <see cref="WorkflowTestEnvironment.SkipAsync"/> and
    /// <see cref="WorkflowTestEnvironment.WaitIdleAsync"/> wait for the workers to settle at each step, and how long a
    /// running activity may hold time while a test waits for a result, before a <see cref="VirtualTimeHeldException"/>
    /// says what still runs.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long (real time) workflow code may run without handing control back before the decision task is
    /// dropped as blocked (see <see cref="ReplayOptions.DeadlockDetectionTimeout"/>).</summary>
    public TimeSpan DeadlockDetectionTimeout { get; init; } = new ReplayOptions().DeadlockDetectionTimeout;

    public ILoggerFactory? LoggerFactory { get; init; }
}

/// <summary>
/// An in-memory SWF (<see cref="LocalSwf"/>) on virtual time, with real workflow and activity workers in process.
/// Register workflows and activities, then start runs through <see cref="Client"/> (or the generated clients over it).
/// While a test waits for a result and every worker is idle, with only timers and timeouts pending, virtual time
/// jumps to the next of them: a 30-day timer takes milliseconds. <see cref="SkipAsync"/> moves time by hand, as if that
/// much time passed with the workers doing their work.
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
    // Tasks that reached a poller, by (run id, started event id): true when the poller was one of the environment's workers.
    private readonly Dictionary<(string RunId, long StartedEventId), bool> _seen = [];
    // Activity invocations of the environment's workers whose tasks are still open.
    private readonly Dictionary<(string RunId, long StartedEventId), RunningActivity> _running = [];
    private Stuck? _stuck;
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
        Swf = new StartingSwfClient(this, new GatedSwfClient(this, _local, worker: false));
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
        var gated = new GatedSwfClient(this, _local, worker: false);
        await gated.RegisterDomainAsync(new RegisterDomainInput { Name = Domain, WorkflowExecutionRetentionPeriodInDays = "90" }).ConfigureAwait(false);
        var registration = new FlowRegistration(gated, Domain, _options.LoggerFactory);
        foreach (var definition in _typesOnly)
            await registration.RegisterActivityTypeAsync(definition, definition.DefaultTaskList ?? "default").ConfigureAwait(false);
        foreach (var group in _workflows.Values.GroupBy(h => h.Definition.DefaultTaskList ?? "default"))
        {
            var client = new GatedSwfClient(this, _local, worker: true);
            var worker = new WorkflowWorker(client, new WorkflowWorkerOptions
            {
                Domain = Domain, TaskList = group.Key, Pollers = Pollers, Identity = "flow-test-decider",
                LoggerFactory = _options.LoggerFactory, ShutdownTimeout = TimeSpan.Zero,
                ReplayOptions = new ReplayOptions { LoggerFactory = _options.LoggerFactory, DeadlockDetectionTimeout = _options.DeadlockDetectionTimeout },
            }, group);
            _workers.Add(new WorkerEntry(client, group.Key, true, () => worker.InFlight, worker.StartAsync, worker.StopAsync));
        }
        foreach (var group in _activities.Values.GroupBy(h => h.Definition.DefaultTaskList ?? "default"))
        {
            var client = new GatedSwfClient(this, _local, worker: true);
            var worker = new ActivityWorker(client, new ActivityWorkerOptions
            {
                Domain = Domain, TaskList = group.Key, Pollers = Pollers, Identity = "flow-test-worker",
                LoggerFactory = _options.LoggerFactory, ShutdownTimeout = TimeSpan.Zero,
                ShutdownCancelGrace = TimeSpan.FromMilliseconds(100),
            }, group.Select(Tracked));
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

    /// <summary>
    /// Moves virtual time forward by <paramref name="duration"/>, as if that much time passed with the workers doing their
    /// work. In steps: the workers settle (every task handed out is processed, and running activities finish — with
    /// <see cref="WorkflowTestEnvironmentOptions.ActivitiesHoldTime"/> off, only those within
    /// <see cref="WorkflowTestEnvironmentOptions.RunningActivityGrace"/>), then time moves to the next timer or timeout
    /// due within the skip, which fires; this repeats until nothing more is due by the target, where time lands exactly;
    /// the workers settle once more before it returns. A step that does not settle within
    /// <see cref="WorkflowTestEnvironmentOptions.IdleTimeout"/> (real time) throws <see cref="VirtualTimeHeldException"/>
    /// naming what still runs, with time where it was then.
    /// </summary>
    public async Task SkipAsync(TimeSpan duration, CancellationToken cancellationToken = default)
    {
        if (duration < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "Time only moves forward.");
        await StartAsync(cancellationToken).ConfigureAwait(false);
        var target = UtcNow + duration;
        string what = $"SkipAsync({duration}) to {target:O}";
        while (true)
        {
            await SettleAsync(what, cancellationToken).ConfigureAwait(false);
            _gate.EnterWriteLock();
            try
            {
                if (Busy().Count > 0)
                    continue;
                if (_clock.NextDue(_clock.Watched) is { } due && due <= target)
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
            await SettleAsync(what, cancellationToken).ConfigureAwait(false);
            return;
        }
    }

    /// <summary>Waits (real time) until the workers are idle: nothing pending, every task handed out processed, and no
    /// activity running (with <see cref="WorkflowTestEnvironmentOptions.ActivitiesHoldTime"/> off, none that has run
    /// less than <see cref="WorkflowTestEnvironmentOptions.RunningActivityGrace"/>). Throws
    /// <see cref="VirtualTimeHeldException"/> after <see cref="WorkflowTestEnvironmentOptions.IdleTimeout"/>.</summary>
    public async Task WaitIdleAsync(CancellationToken cancellationToken = default)
    {
        await StartAsync(cancellationToken).ConfigureAwait(false);
        await SettleAsync("WaitIdleAsync", cancellationToken).ConfigureAwait(false);
    }

    private async Task SettleAsync(string what, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)_options.IdleTimeout.TotalMilliseconds;
        while (true)
        {
            List<Holder> busy;
            _gate.EnterWriteLock();
            try
            {
                busy = Busy();
            }
            finally
            {
                _gate.ExitWriteLock();
            }
            if (busy.Count == 0)
                return;
            if (busy.TrueForAll(h => h.Running is not null))
                _heldByActivity.TrySetResult();
            if (Environment.TickCount64 > deadline)
                throw new VirtualTimeHeldException(Explain($"{what} could not move on from {UtcNow:O}: after {_options.IdleTimeout} (real time, IdleTimeout)", busy),
                    [.. busy.Select(h => h.Description)]);
            await _wake.WaitAsync(TimeSpan.FromMilliseconds(2), cancellationToken).ConfigureAwait(false);
        }
    }

    private string Explain(string headline, List<Holder> busy)
    {
        var text = headline + " these still hold virtual time:\n" + string.Join("\n", busy.Select(h => "- " + h.Description));
        if (busy.Exists(h => h.Running is not null))
            text += "\nA running activity holds virtual time until it returns (ActivitiesHoldTime), so its own timeouts never fire under it. " +
                "Let it finish (release what it waits for), raise IdleTimeout for activities that take long, or set ActivitiesHoldTime = false " +
                "so that time moves under activities running longer than RunningActivityGrace and their timeouts fire as SWF's would.";
        return text;
    }

    /// <summary>
    /// What keeps virtual time from moving now; empty when the workers are idle. Called under the exclusive gate, so no
    /// call is inside the engine and its histories and task lists stand still. A task travels engine list → parked poll →
    /// seen by its worker → worked on → answer recorded; every stage short of the answer holds time, except an activity
    /// running past its grace when activities do not hold time, one a test polled itself, and a manually completed one
    /// whose code has returned. The checks run against that direction (task lists, started tasks, polls parked, deciders
    /// in flight), so a task that moves on between two checks is caught by the later one.
    /// </summary>
    private List<Holder> Busy()
    {
        List<Holder> busy = [];
        foreach (var w in _workers)
        {
            var pending = w.Decider
                ? _engine.CountPendingDecisionTasks(new CountPendingDecisionTasksInput { Domain = Domain, TaskList = new TaskList { Name = w.TaskList } })
                : _engine.CountPendingActivityTasks(new CountPendingActivityTasksInput { Domain = Domain, TaskList = new TaskList { Name = w.TaskList } });
            if (pending.Count > 0)
                busy.Add(new Holder($"{pending.Count} {(w.Decider ? "decision" : "activity")} task(s) wait on task list {w.TaskList}"));
        }
        StartedTasks(busy);
        foreach (var w in _workers)
        {
            if (!w.Client.AllParked(Pollers))
                busy.Add(new Holder($"the {(w.Decider ? "decider" : "activity worker")} of task list {w.TaskList} has not come back to poll"));
            else if (w.Decider && w.InFlight() > 0)
                busy.Add(new Holder($"the decider of task list {w.TaskList} is working on {w.InFlight()} decision task(s)"));
        }
        return busy;
    }

    /// <summary>The decision and activity tasks the engine has started (per the open runs' histories) and not closed:
    /// those still on their way to a worker, and the activities the workers run.</summary>
    private void StartedTasks(List<Holder> busy)
    {
        var open = _engine.ListOpenWorkflowExecutions(new ListOpenWorkflowExecutionsInput
        {
            Domain = Domain, StartTimeFilter = new ExecutionTimeFilter { OldestDate = DateTimeOffset.UnixEpoch },
        });
        var openActivities = new HashSet<(string, long)>();
        long now = Environment.TickCount64;
        foreach (var info in open.ExecutionInfos)
        {
            var execution = info.Execution;
            var decisions = new HashSet<long>();
            var scheduled = new Dictionary<long, ActivityTaskScheduledEventAttributes>();
            var activities = new Dictionary<long, ActivityTaskScheduledEventAttributes>();
            string? token = null;
            do
            {
                var page = _engine.GetWorkflowExecutionHistory(new GetWorkflowExecutionHistoryInput
                {
                    Domain = Domain, Execution = execution, MaximumPageSize = 1000, NextPageToken = token,
                });
                foreach (var e in page.Events)
                {
                    switch (e.EventType)
                    {
                        case EventType.DecisionTaskStarted: decisions.Add(e.EventId); break;
                        case EventType.DecisionTaskCompleted: decisions.Remove(e.DecisionTaskCompletedEventAttributes!.StartedEventId); break;
                        case EventType.DecisionTaskTimedOut: decisions.Remove(e.DecisionTaskTimedOutEventAttributes!.StartedEventId); break;
                        case EventType.ActivityTaskScheduled: scheduled[e.EventId] = e.ActivityTaskScheduledEventAttributes!; break;
                        case EventType.ActivityTaskStarted: activities[e.EventId] = scheduled[e.ActivityTaskStartedEventAttributes!.ScheduledEventId]; break;
                        case EventType.ActivityTaskCompleted: activities.Remove(e.ActivityTaskCompletedEventAttributes!.StartedEventId); break;
                        case EventType.ActivityTaskFailed: activities.Remove(e.ActivityTaskFailedEventAttributes!.StartedEventId); break;
                        case EventType.ActivityTaskTimedOut: activities.Remove(e.ActivityTaskTimedOutEventAttributes!.StartedEventId); break;
                        case EventType.ActivityTaskCanceled: activities.Remove(e.ActivityTaskCanceledEventAttributes!.StartedEventId); break;
                    }
                }
                token = page.NextPageToken;
            }
            while (!string.IsNullOrEmpty(token));

            string run = $"workflow {execution.WorkflowId} (run {execution.RunId})";
            lock (_seen)
            {
                foreach (var id in decisions)
                    if (!_seen.ContainsKey((execution.RunId, id)))
                        busy.Add(new Holder($"a decision task of {run} is on its way to its decider"));
            }
            foreach (var (id, a) in activities)
            {
                var key = (execution.RunId, id);
                openActivities.Add(key);
                string activity = $"activity {a.ActivityType.Name} {a.ActivityType.Version} (activity id {a.ActivityId}) of {run}";
                bool byWorker;
                lock (_seen)
                {
                    if (!_seen.TryGetValue(key, out byWorker))
                    {
                        busy.Add(new Holder($"{activity} is on its way to its worker"));
                        continue;
                    }
                }
                if (!byWorker)
                    continue; // the test polled it itself: it answers when it likes
                RunningActivity? running;
                lock (_running)
                    _running.TryGetValue(key, out running);
                if (running is null)
                    busy.Add(new Holder($"{activity} reached its worker and has not started running"));
                else if (running.Returned)
                    busy.Add(new Holder($"{activity} returned and its answer is on its way"));
                else if (_options.ActivitiesHoldTime || now - running.Since < (long)_options.RunningActivityGrace.TotalMilliseconds)
                    busy.Add(new Holder($"{activity} has been running for {TimeSpan.FromMilliseconds(now - running.Since).TotalSeconds:0.0} s (real time)", running));
            }
        }
        lock (_running)
        {
            // A task that closed (answered, timed out, canceled, or its run closed) no longer concerns time.
            foreach (var key in _running.Keys.Where(k => !openActivities.Contains(k)).ToList())
                _running.Remove(key);
        }
    }

    /// <summary>Wraps an activity handler so the environment knows which activities its workers are running.</summary>
    private ActivityHandler Tracked(ActivityHandler handler) => handler with
    {
        Invoke = async (input, context) =>
        {
            var key = (context.WorkflowExecution.RunId, context.StartedEventId);
            var running = new RunningActivity(Environment.TickCount64);
            lock (_running)
                _running[key] = running;
            try
            {
                return await handler.Invoke(input, context).ConfigureAwait(false);
            }
            finally
            {
                lock (_running)
                {
                    // A manually completed activity's answer comes from elsewhere, whenever it comes.
                    if (handler.Definition.ManualCompletion)
                        _running.Remove(key);
                    else
                        running.Returned = true;
                }
                Wake();
            }
        },
    };

    private bool AnyOpen() =>
        _engine.CountOpenWorkflowExecutions(new CountOpenWorkflowExecutionsInput
        {
            Domain = Domain, StartTimeFilter = new ExecutionTimeFilter { OldestDate = DateTimeOffset.UnixEpoch },
        }).Count > 0;

    internal void Seen(object task, bool byWorker)
    {
        var key = task switch
        {
            DecisionTask { TaskToken.Length: > 0 } d => (d.WorkflowExecution.RunId, d.StartedEventId),
            ActivityTask { TaskToken.Length: > 0 } a => (a.WorkflowExecution.RunId, a.StartedEventId),
            _ => default,
        };
        if (key.RunId is not null)
            lock (_seen)
                _seen[key] = byWorker;
    }

    /// <summary>Completes the first time the environment would have moved time but a running activity held it.</summary>
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
                if (_stop.IsCancellationRequested)
                    continue;
                var busy = Busy();
                if (busy.Count > 0)
                {
                    Held(busy);
                    continue;
                }
                Volatile.Write(ref _stuck, null);
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

    /// <summary>Only running activities keep time from moving while a test waits: past the idle timeout, the test's
    /// next wait through <see cref="Client"/> throws instead of waiting forever.</summary>
    private void Held(List<Holder> busy)
    {
        if (!busy.TrueForAll(h => h.Running is not null))
        {
            Volatile.Write(ref _stuck, null);
            return;
        }
        _heldByActivity.TrySetResult();
        long since = busy.Min(h => h.Running!.Since);
        Volatile.Write(ref _stuck, Environment.TickCount64 - since > (long)_options.IdleTimeout.TotalMilliseconds
            ? new Stuck(Explain($"A test waits for a result at {UtcNow:O}, but after {_options.IdleTimeout} (real time, IdleTimeout)", busy),
                [.. busy.Select(h => h.Description)], [.. busy.Select(h => h.Running!)])
            : null);
    }

    /// <summary>Throws when running activities have held time past the idle timeout while a test waited for a result, and
    /// still run: the wait would never end.</summary>
    internal void ThrowIfStuck()
    {
        if (Volatile.Read(ref _stuck) is { } stuck && stuck.Activities.Exists(a => !a.Returned))
            throw new VirtualTimeHeldException(stuck.Message, stuck.Holders);
    }

    private sealed record Stuck(string Message, List<string> Holders, List<RunningActivity> Activities);

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

    /// <summary>One thing that keeps time from moving; <paramref name="Running"/> when it is an activity at work.</summary>
    private sealed record Holder(string Description, RunningActivity? Running = null);

    private sealed class RunningActivity(long since)
    {
        public long Since { get; } = since;
        public volatile bool Returned;
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
            env.ThrowIfStuck();
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

/// <summary>Virtual time could not move on: the workers did not settle within
/// <see cref="WorkflowTestEnvironmentOptions.IdleTimeout"/> (real time). The message names what still runs.</summary>
public sealed class VirtualTimeHeldException(string message, IReadOnlyList<string> holders) : Exception(message)
{
    /// <summary>What held time, one line each (empty when the message is all there is).</summary>
    public IReadOnlyList<string> Holders { get; } = holders;
}

/// <summary>Runs of the environment whose histories no longer replay against their workflow code.</summary>
public sealed class WorkflowReplayException(IReadOnlyList<ReplayResult> failures)
    : Exception("Replaying the environment's runs found non-determinism:\n" + string.Join("\n", failures.Select(f => "- " + f.Describe())))
{
    public IReadOnlyList<ReplayResult> Failures { get; } = failures;
}
