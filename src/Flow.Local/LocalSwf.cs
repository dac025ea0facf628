using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Flow.Swf;

namespace Flow.Local;

/// <summary>
/// An SWF-compatible engine in process: SWF's semantics for every operation, decision and timeout, with
/// its state in memory or in a SQLite file. One lock guards all state; every API call runs under it and
/// stages what it changed; outside the lock it waits for the store to commit that (concurrent calls share
/// one commit), and only then answers and wakes long-poll waiters. Memory never gets ahead of the file: when
/// a commit fails, its calls (and those that saw their changes) answer InternalFailure, and the next call
/// first reloads the state from the file, so a failed call is a call not done.
/// Use <see cref="Client"/> to talk to it as to SWF.
/// </summary>
public sealed partial class LocalSwf : IDisposable
{
    readonly object _gate = new();
    readonly TimeProvider _time;
    readonly TimeSpan _hold;
    readonly LocalSwfOptions _options;
    readonly ILocalStore _store;
    readonly ChangeSet _changes = new();
    readonly List<(Waiter Waiter, object? Task)> _woken = [];
    bool _dirty;
    readonly HashSet<ExecutionState> _overLimit = [];

    /// <summary>SWF's limit on events in one execution's history; reaching it terminates the execution.</summary>
    internal const int EventLimit = 25_000;

    /// <summary>SWF's quotas: domains (registered and deprecated), types of each kind per domain (registered
    /// and deprecated), open executions per domain (children included).</summary>
    internal const int DomainLimit = 100, TypeLimit = 10_000, OpenExecutionLimit = 100_000;

    readonly Dictionary<(string Domain, string Kind), int> _typeCounts = [];
    readonly Dictionary<string, int> _openCounts = new(StringComparer.Ordinal);

    readonly Dictionary<string, DomainState> _domains = new(StringComparer.Ordinal);
    readonly Dictionary<(string Domain, string Kind, string Name, string Version), TypeState> _types = [];
    readonly Dictionary<string, ExecutionState> _byRunId = new(StringComparer.Ordinal);
    readonly Dictionary<(string Domain, string WorkflowId), ExecutionState> _openByWorkflowId = [];
    // A set, not a list: retention forgets executions one at a time (a list's Remove scanned the domain's runs); lists
    // sort what they return, so no order is kept here.
    readonly Dictionary<string, HashSet<ExecutionState>> _executionsByDomain = new(StringComparer.Ordinal);
    readonly Dictionary<(string Domain, char Kind, string Name), TaskListState> _taskLists = [];

    // Every timeout and timer, by due time. Entries are never removed early: one that no longer
    // matches its execution's state when it comes due is simply dropped. Heartbeats add none: an activity's
    // one heartbeat entry, come due before its moved due time, is queued again for that time.
    readonly PriorityQueue<Due, DateTimeOffset> _dues = new();
    readonly ITimer _timer;
    DateTimeOffset? _timerAt;
    bool _disposed;

    public LocalSwf(LocalSwfOptions? options = null)
    {
        _options = options ?? new LocalSwfOptions();
        _time = _options.TimeProvider;
        _hold = _options.LongPollHold;
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxPollersPerTaskList, 1, nameof(options) + "." + nameof(LocalSwfOptions.MaxPollersPerTaskList));
        _store = _options.DatabasePath is { } path ? new SqliteStore(path, _options.StoreBusyTimeout, _options.Synchronous) : new MemoryStore();
        _timer = _time.CreateTimer(static s => ((LocalSwf)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        try
        {
            var state = _store.Load();
            _tokenKey = state.TokenKey;
            StoreProblems = state.Problems;
            Restore(state);
        }
        catch
        {
            _timer.Dispose();
            _store.Dispose();
            throw;
        }
        try
        {
            // Timeouts that came due while stopped; if they cannot be saved now, the next call retries them.
            Execute(() => 0);
        }
        catch (SwfException e) when (e.InnerException is StoreFailedException)
        {
        }
    }

    /// <summary>Records the SQLite file holds but that could not be loaded (each says which and why); they stay
    /// in the file untouched. Empty for a sound file and in memory.</summary>
    public IReadOnlyList<string> StoreProblems { get; private set; }

    /// <summary>The SQLite store, for tests that reach its connection; null in memory.</summary>
    internal SqliteStore? Sqlite => _store as SqliteStore;

    /// <summary>An <see cref="ISwfClient"/> over this engine.</summary>
    public ISwfClient Client => new LocalSwfClient(this);

    public void Dispose()
    {
        List<Waiter> waiters = [];
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            _timer.Dispose();
            foreach (var list in _taskLists.Values)
            {
                waiters.AddRange(list.Waiters);
                list.Waiters.Clear();
            }
            _store.Dispose();
        }
        foreach (var w in waiters)
            w.Complete(null);
    }

    // ---- the one way in: lock, fire what came due, run, fire what came due, commit, unlock, wake waiters ----

    /// <summary>Runs one API call. Timeouts and timers that came due by the clock are fired first, as a step of their
    /// own (committed, and its tasks handed out, even if the call then fails): the timer's callback may not have run
    /// yet, and a call must not act on what has timed out (SWF refuses a response after its task's timeout).</summary>
    internal T Execute<T>(Func<T> body)
    {
        while (true)
        {
            var result = Step(body, out var ran);
            if (ran)
                return result;
        }
    }

    /// <summary>Fires what came due and, if that changed nothing, runs <paramref name="body"/> (<paramref name="ran"/>);
    /// otherwise ends with the fired timeouts alone, for the caller to come back.</summary>
    T Step<T>(Func<T> body, out bool ran)
    {
        T result;
        ran = false;
        (Waiter Waiter, object? Task)[] woken = [];
        StoreCommit? commit = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var done = false;
            var failed = false;
            try
            {
                if (_dirty || _store.Failed)
                    Reload();
                try
                {
                    if (FireDue())
                        result = default!;
                    else
                    {
                        result = body();
                        ran = true;
                    }
                    ProcessDue();
                    EnforceEventLimit();
                    // A call that changed nothing still waits for the commit of what it saw.
                    commit = _changes.IsEmpty ? _store.Latest : _store.Stage(_changes);
                }
                catch when (!_changes.IsEmpty && _store is not MemoryStore)
                {
                    // Memory changed, then the call failed (the store refusing it, or a fault past a change):
                    // back to what the file holds, so the failed call is a call not done.
                    _dirty = true;
                    WakeEmpty();
                    Reload();
                    throw;
                }
                done = true;
            }
            catch (StoreFailedException e)
            {
                failed = true;
                throw Faults.InternalFailure(e.Message, e);
            }
            finally
            {
                _overLimit.Clear();
                _changes.Clear();
                if (done)
                    woken = [.. _woken];
                else
                {
                    // Nothing this call did happened: polls it handed a task to get an empty answer (continuations
                    // run asynchronously, so completing them under the lock runs no caller code here).
                    foreach (var (w, _) in _woken)
                        w.Complete(null);
                }
                _woken.Clear();
                Rearm();
                if (failed)
                    RetrySoon();
            }
        }
        // Durable before anyone hears of it: the caller's answer and the pollers woken by this call.
        if (commit is not null && t_deferred is { } deferred && deferred.Engine == this)
        {
            deferred.Pending.Add((commit, woken)); // the caller awaits it (CallAsync): no thread waits for the file
            return result;
        }
        if (commit is not null)
        {
            try
            {
                _store.WaitDurable(commit);
            }
            catch (StoreFailedException e)
            {
                throw Undelivered(woken, e);
            }
        }
        foreach (var (w, task) in woken)
            w.Complete(task);
        return result;
    }

    /// <summary>A commit failed: the tasks it handed out were never recorded, so their pollers get an empty poll and
    /// poll again, and the timer comes back soon to redo what came due.</summary>
    SwfException Undelivered((Waiter Waiter, object? Task)[] woken, StoreFailedException e)
    {
        foreach (var (w, _) in woken)
            w.Complete(null);
        lock (_gate)
            RetrySoon();
        return Faults.InternalFailure(e.Message, e);
    }

    // ---- calls that await their commit instead of blocking a thread for it ----

    /// <summary>Set around the synchronous part of one <see cref="CallAsync{T}"/>: Execute leaves its durable wait and
    /// its wake-ups there.</summary>
    [ThreadStatic] static Deferred? t_deferred;

    sealed class Deferred(LocalSwf engine)
    {
        public LocalSwf Engine { get; } = engine;
        public List<(StoreCommit Commit, (Waiter Waiter, object? Task)[] Woken)> Pending { get; } = [];
    }

    /// <summary>Runs one API call (its synchronous part) and completes once what it changed, or saw, is durable: the
    /// same as a blocking call, but the wait for the file is awaited, so a busy server's threads are not parked on
    /// it. A call that finds another running is queued for whoever runs calls then, rather than blocking its thread on
    /// the engine's lock: on a busy server, threads parked on that lock were the cost (each one a context switch, and
    /// the pool adding threads to replace them, so the lock's holder was preempted more often).</summary>
    internal Task<T> CallAsync<T>(Func<T> call)
    {
        if (Interlocked.CompareExchange(ref _runningCalls, 1, 0) != 0)
        {
            var queued = new QueuedCall<T>(call);
            _queuedCalls.Enqueue(queued);
            // The runner may have found the queue empty and let go just before: then this thread runs it.
            if (Interlocked.CompareExchange(ref _runningCalls, 1, 0) == 0)
                RunQueuedCalls(handOff: true);
            return queued.Task;
        }
        Task<T> own;
        try
        {
            own = Invoke(call);
        }
        finally
        {
            RunQueuedCalls(handOff: true);
        }
        return own;
    }

    /// <summary>Calls that found another running, for the thread that runs calls (see <see cref="CallAsync{T}"/>).</summary>
    readonly System.Collections.Concurrent.ConcurrentQueue<IQueuedCall> _queuedCalls = new();

    /// <summary>1 while a thread runs calls.</summary>
    int _runningCalls;

    /// <summary>Runs queued calls until none is left, then lets go. Caller has set <see cref="_runningCalls"/>. With
    /// <paramref name="handOff"/>, a caller whose own answer is ready leaves the queue to a pool thread instead of
    /// holding that answer back while it runs other requests' calls.</summary>
    void RunQueuedCalls(bool handOff)
    {
        while (true)
        {
            if (handOff && !_queuedCalls.IsEmpty)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static engine => engine.RunQueuedCalls(handOff: false), this, preferLocal: false);
                return;
            }
            while (_queuedCalls.TryDequeue(out var call))
                call.Run(this);
            Volatile.Write(ref _runningCalls, 0);
            if (_queuedCalls.IsEmpty || Interlocked.CompareExchange(ref _runningCalls, 1, 0) != 0)
                return;
        }
    }

    interface IQueuedCall
    {
        void Run(LocalSwf engine);
    }

    sealed class QueuedCall<T>(Func<T> call) : IQueuedCall
    {
        // Asynchronous continuations: the runner must not run the caller's code (writing its answer) in line.
        readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _done.Task;

        public void Run(LocalSwf engine)
        {
            Task<T> task;
            try
            {
                task = engine.Invoke(call);
            }
            catch (Exception e)
            {
                _done.TrySetException(e);
                return;
            }
            if (task.IsCompleted)
                Transfer(task);
            else
                task.ContinueWith(static (t, s) => ((QueuedCall<T>)s!).Transfer(t), this, CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        void Transfer(Task<T> task)
        {
            if (task.IsCompletedSuccessfully)
                _done.TrySetResult(task.Result);
            else if (task.IsCanceled)
                _done.TrySetCanceled();
            else
                _done.TrySetException(task.Exception!.InnerExceptions);
        }
    }

    /// <summary>One call's synchronous part, with its commits deferred to the task it returns.</summary>
    Task<T> Invoke<T>(Func<T> call)
    {
        var outer = t_deferred;
        var deferred = t_deferred = new Deferred(this);
        T result;
        try
        {
            result = call();
        }
        catch (Exception e)
        {
            // An Execute that throws leaves nothing pending; one before it in the same call may have.
            if (deferred.Pending.Count > 0)
                _ = FinishAsync(deferred).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            return Task.FromException<T>(e);
        }
        finally
        {
            t_deferred = outer;
        }
        return deferred.Pending.Count == 0 ? Task.FromResult(result) : Then(deferred, result);

        async Task<T> Then(Deferred d, T value)
        {
            await FinishAsync(d).ConfigureAwait(false);
            return value;
        }
    }

    async Task FinishAsync(Deferred deferred)
    {
        for (var i = 0; i < deferred.Pending.Count; i++)
        {
            var (commit, woken) = deferred.Pending[i];
            try
            {
                await _store.WaitDurableAsync(commit).ConfigureAwait(false);
            }
            catch (StoreFailedException e)
            {
                for (var j = i + 1; j < deferred.Pending.Count; j++)
                    foreach (var (w, _) in deferred.Pending[j].Woken)
                        w.Complete(null);
                throw Undelivered(woken, e);
            }
            foreach (var (w, task) in woken)
                w.Complete(task);
        }
    }

    /// <summary>After a failed commit: what came due in it (undone with it) must not wait for the next API call, so
    /// the timer comes back shortly, reloads and fires it again. Caller holds the lock.</summary>
    void RetrySoon()
    {
        if (_disposed)
            return;
        _timerAt = _time.GetUtcNow() + StoreRetryDelay;
        _timer.Change(StoreRetryDelay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Drops the state in memory and loads what the store committed. Waiting polls get an empty answer
    /// (they poll again); whatever memory held that the file lacks is gone, as it never happened.</summary>
    void Reload()
    {
        _dirty = true;
        LoadedState state;
        try
        {
            state = _store.Reload();
        }
        catch (Exception e) when (e is not StoreFailedException)
        {
            // The engine stays dirty and tries again on the next call.
            throw new StoreFailedException($"The store could not be read back after a failed call ({e.Message.TrimEnd('.')}).", e);
        }
        WakeEmpty();
        foreach (var list in _taskLists.Values)
        {
            foreach (var w in list.Waiters)
            {
                w.Node = null;
                _woken.Add((w, null));
            }
        }
        _taskLists.Clear();
        _domains.Clear();
        _types.Clear();
        _typeCounts.Clear();
        _byRunId.Clear();
        _openByWorkflowId.Clear();
        _openCounts.Clear();
        _executionsByDomain.Clear();
        _dues.Clear();
        _overLimit.Clear();
        _changes.Clear();
        _timerAt = null;
        StoreProblems = state.Problems;
        Restore(state);
        _dirty = false;
    }

    /// <summary>Turns the tasks this call handed to waiting polls into empty answers: the tasks stay unrecorded.</summary>
    void WakeEmpty()
    {
        for (var i = 0; i < _woken.Count; i++)
            _woken[i] = (_woken[i].Waiter, null);
    }

    void EnforceEventLimit()
    {
        if (_overLimit.Count == 0)
            return;
        foreach (var e in _overLimit.ToList())
            if (e.IsOpen)
                Terminate(e, "The execution reached SWF's limit of 25,000 history events.", null, e.ChildPolicy, WorkflowExecutionTerminatedCause.EventLimitExceeded);
    }

    void Execute(Action body) => Execute(() => { body(); return 0; });

    DateTimeOffset Now()
    {
        var t = _time.GetUtcNow();
        return DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());
    }

    // ---- lookups ----

    DomainState Domain(string name, bool mustBeRegistered = true)
    {
        if (!_domains.TryGetValue(name, out var d))
            throw Faults.UnknownResource($"Unknown domain: {name}");
        if (mustBeRegistered && d.Status == RegistrationStatus.Deprecated)
            throw Faults.UnknownResource($"Domain is deprecated: {name}");
        return d;
    }

    ExecutionState Execution(string domain, WorkflowExecution execution)
    {
        Domain(domain, mustBeRegistered: false);
        if (!_byRunId.TryGetValue(execution.RunId, out var e) || e.Domain != domain || e.WorkflowId != execution.WorkflowId)
            throw Faults.UnknownResource($"Unknown execution: WorkflowExecution=[workflowId={execution.WorkflowId}, runId={execution.RunId}]");
        return e;
    }

    /// <summary>The open execution named by workflow id and (optionally) run id, as SWF's signal, cancel and terminate find it.</summary>
    ExecutionState? FindOpen(string domain, string workflowId, string? runId)
    {
        if (string.IsNullOrEmpty(runId))
            return _openByWorkflowId.GetValueOrDefault((domain, workflowId));
        return _byRunId.TryGetValue(runId, out var e) && e.Domain == domain && e.WorkflowId == workflowId && e.IsOpen ? e : null;
    }

    ExecutionState RequireOpen(string domain, string workflowId, string? runId)
    {
        Domain(domain, mustBeRegistered: false);
        return FindOpen(domain, workflowId, runId)
            ?? throw Faults.UnknownResource(string.IsNullOrEmpty(runId)
                ? $"Unknown execution: WorkflowExecution=[workflowId={workflowId}]"
                : $"Unknown execution: WorkflowExecution=[workflowId={workflowId}, runId={runId}]");
    }

    TypeState? FindType(string domain, string kind, string name, string version) =>
        _types.GetValueOrDefault((domain, kind, name, version));

    TaskListState TaskListOf(string domain, char kind, string name)
    {
        if (!_taskLists.TryGetValue((domain, kind, name), out var list))
            _taskLists[(domain, kind, name)] = list = new TaskListState();
        return list;
    }

    static string NewRunId() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(33));

    // ---- durations ----

    /// <summary>Parses an SWF duration: whole seconds, or NONE (null) where allowed.</summary>
    static bool TryParseDuration(string? value, bool allowNone, out TimeSpan? duration)
    {
        duration = null;
        if (value is null)
            return false;
        if (value == "NONE")
            return allowNone;
        if (value.Length == 0 || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var s))
            return false;
        duration = TimeSpan.FromSeconds(s);
        return true;
    }

    static void CheckDuration(string? value, string field, bool allowNone = true)
    {
        if (value is not null && !TryParseDuration(value, allowNone, out _))
            throw Faults.Validation($"Invalid value for {field}: '{value}' (whole seconds{(allowNone ? " or NONE" : "")}).");
    }

    static TimeSpan? Duration(string value) => TryParseDuration(value, true, out var d) ? d : null;

    static void CheckExecutionTimeout(string value, string field)
    {
        CheckDuration(value, field, allowNone: false);
        var s = long.Parse(value, CultureInfo.InvariantCulture);
        if (s < 1 || s > 31_536_000)
            throw Faults.Validation($"Invalid value for {field}: '{value}' (1 to 31536000 seconds).");
    }

    // ---- tokens: opaque to callers, enough for us to find the task (or page) again after a restart, and signed
    // with the engine's key, which the store keeps: no one can make one up, not even knowing the run id ----

    readonly byte[] _tokenKey;

    /// <summary>A token of <paramref name="parts"/>, valid only where the same <paramref name="boundTo"/> is given back
    /// (an operation and its query, for list pages).</summary>
    string Token(string[] parts, params string[] boundTo) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join('\u001f', [.. parts, Mac(parts, boundTo)])));

    /// <summary>The parts of a token this engine signed for <paramref name="boundTo"/>; null for any other string.</summary>
    string[]? ReadToken(string token, params string[] boundTo)
    {
        string[] all;
        try
        {
            all = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('\u001f');
        }
        catch (FormatException)
        {
            return null;
        }
        if (all.Length < 2)
            return null;
        var parts = all[..^1];
        var expected = Encoding.ASCII.GetBytes(Mac(parts, boundTo));
        var given = Encoding.UTF8.GetBytes(all[^1]);
        return CryptographicOperations.FixedTimeEquals(expected, given) ? parts : null;
    }

    string Mac(string[] parts, string[] boundTo)
    {
        var data = Encoding.UTF8.GetBytes(string.Join('\u001f', [.. parts, "\u001e", .. boundTo]));
        // 128 bits of HMAC-SHA256, URL-safe base64 without padding.
        return Convert.ToBase64String(HMACSHA256.HashData(_tokenKey, data), 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    static long ParseLong(string s) => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : -1;

    static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);

    string DecisionToken(ExecutionState e) => Token(["d", e.RunId, Number(e.DecisionStartedId)]);

    string ActivityToken(ExecutionState e, ActivityState a) => Token(["a", e.RunId, Number(a.ScheduledEventId), Number(a.StartedEventId)]);

    ExecutionState ResolveDecisionToken(string token)
    {
        var p = ReadToken(token);
        if (p is not ["d", var runId, var started] || !_byRunId.TryGetValue(runId, out var e) || !e.IsOpen
            || e.DecisionStartedId == 0 || e.DecisionStartedId != ParseLong(started))
            throw Faults.UnknownResource("Unknown task token (the decision task is closed, timed out or was never started).");
        return e;
    }

    (ExecutionState, ActivityState) ResolveActivityToken(string token)
    {
        var p = ReadToken(token);
        if (p is ["a", var runId, var scheduled, var started] && _byRunId.TryGetValue(runId, out var e) && e.IsOpen)
        {
            var sid = ParseLong(scheduled);
            foreach (var a in e.Activities.Values)
                if (a.ScheduledEventId == sid && a.StartedEventId != 0 && a.StartedEventId == ParseLong(started))
                    return (e, a);
        }
        throw Faults.UnknownResource("Unknown task token (the activity task is closed, timed out or was canceled).");
    }

    // ---- events ----

    HistoryEvent AddEvent(ExecutionState e, EventType type, Action<HistoryEvent> set)
    {
        var ev = new HistoryEvent { EventId = e.Events.Count + 1, EventType = type, EventTimestamp = Now() };
        set(ev);
        e.Events.Add(ev);
        e.EventCount = e.Events.Count;
        _changes.Events.Add((e, ev));
        _changes.Executions.Add(e);
        if (e.Events.Count >= EventLimit)
            _overLimit.Add(e);
        return ev;
    }

    void Touch(ExecutionState e) => _changes.Executions.Add(e);

    // ---- restart: rebuild indexes, queues and due times from saved state ----

    void Restore(LoadedState state)
    {
        foreach (var d in state.Domains)
        {
            d.Tags = MergeTags(d.Tags, null); // stores written before tags were de-duplicated may repeat a key
            _domains[d.Name] = d;
        }
        foreach (var t in state.Types)
        {
            _types[(t.Domain, t.Kind, t.Name, t.Version)] = t;
            CollectionsMarshal.GetValueRefOrAddDefault(_typeCounts, (t.Domain, t.Kind), out _)++;
        }
        var pending = new List<(DateTimeOffset At, long Id, ExecutionState E, ActivityState? A)>();
        foreach (var e in state.Executions)
        {
            _byRunId[e.RunId] = e;
            if (!_executionsByDomain.TryGetValue(e.Domain, out var list))
                _executionsByDomain[e.Domain] = list = [];
            list.Add(e);
            if (!e.IsOpen)
            {
                ScheduleRetention(e);
                continue;
            }
            _openByWorkflowId[(e.Domain, e.WorkflowId)] = e;
            CollectionsMarshal.GetValueRefOrAddDefault(_openCounts, e.Domain, out _)++;
            if (e.ExecutionDue is { } xd)
                _dues.Enqueue(new Due(DueKind.Execution, e.RunId, null, 0, xd), xd);
            if (e.DecisionStartedId != 0 && e.DecisionStartToCloseDue is { } dd)
                _dues.Enqueue(new Due(DueKind.DecisionStartToClose, e.RunId, null, e.DecisionStartedId, dd), dd);
            if (e.DecisionScheduledId != 0 && e.DecisionScheduleToStartDue is { } ds)
                _dues.Enqueue(new Due(DueKind.DecisionScheduleToStart, e.RunId, null, e.DecisionScheduledId, ds), ds);
            if (e.DecisionScheduledId != 0 && e.DecisionStartedId == 0)
                pending.Add((e.Events[(int)e.DecisionScheduledId - 1].EventTimestamp, e.DecisionScheduledId, e, null));
            foreach (var a in e.Activities.Values)
            {
                EnqueueActivityDues(e, a);
                if (a.StartedEventId == 0)
                    pending.Add((a.ScheduledAt, a.ScheduledEventId, e, a));
            }
            foreach (var t in e.Timers.Values)
                _dues.Enqueue(new Due(DueKind.Timer, e.RunId, t.TimerId, t.StartedEventId, t.FireAt), t.FireAt);
        }
        foreach (var (_, _, e, a) in pending.OrderBy(p => p.At).ThenBy(p => p.Id))
        {
            if (a is null)
                MakeDecisionAvailable(e);
            else
                Offer(e, a);
        }
    }
}

internal enum DueKind
{
    Execution,
    DecisionStartToClose,
    DecisionScheduleToStart,
    ActivityScheduleToStart,
    ActivityScheduleToClose,
    ActivityStartToClose,
    ActivityHeartbeat,
    Timer,
    Retention,
}

/// <summary>A timer or timeout of a run, named by its run id: a due that outlives its run (a year's execution
/// timeout of a run long closed and forgotten) keeps no history alive.</summary>
internal readonly record struct Due(DueKind Kind, string RunId, string? Id, long EventId, DateTimeOffset At);

/// <summary>A scheduled task waiting in a task list for a poller.</summary>
internal sealed class PendingTask(ExecutionState execution, ActivityState? activity, int priority)
{
    public ExecutionState Execution { get; } = execution;
    public ActivityState? Activity { get; } = activity;
    public int Priority { get; } = priority;
}

internal sealed class TaskListState
{
    public LinkedList<PendingTask> Tasks { get; } = new();
    public LinkedList<Waiter> Waiters { get; } = new();
}

/// <summary>A long poll waiting for a task: completed with the task, or with null (empty) when its hold ends.</summary>
internal sealed class Waiter(object input)
{
    readonly TaskCompletionSource<object?> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public object Input { get; } = input;
    public LinkedListNode<Waiter>? Node { get; set; }
    public (string Domain, char Kind, string Name) TaskList { get; init; }
    public Task<object?> Task => _tcs.Task;
    public void Complete(object? result) => _tcs.TrySetResult(result);
    public void Cancel(CancellationToken token) => _tcs.TrySetCanceled(token);
}
