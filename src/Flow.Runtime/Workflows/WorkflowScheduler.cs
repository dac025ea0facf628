namespace Flow.Workflows;

/// <summary>
/// Runs every continuation of one workflow run, one at a time, in the order they were queued, and only while the
/// executor drives it (<see cref="RunUntilQuiescent"/>). Workflow code finds its context through
/// <see cref="TaskScheduler.Current"/>, so code that escapes to the thread pool (Task.Run, ConfigureAwait(false))
/// has no context; a continuation queued from elsewhere (Task.Delay, a thread-pool timer, Task.Run finishing) is
/// recorded as an escape and reported instead of being run at a non-deterministic moment.
/// </summary>
internal sealed class WorkflowScheduler(WorkflowContext context) : TaskScheduler
{
    private readonly Queue<Task> _ready = new();
    private readonly Lock _gate = new();
    private int _driverThread = -1;

    public WorkflowContext Context { get; } = context;

    public override int MaximumConcurrencyLevel => 1;

    public bool IsDriverThread
    {
        get { lock (_gate) return Environment.CurrentManagedThreadId == _driverThread; }
    }

    protected override void QueueTask(Task task)
    {
        bool between;
        lock (_gate)
        {
            if (Environment.CurrentManagedThreadId == _driverThread)
            {
                _ready.Enqueue(task);
                return;
            }
            between = _driverThread < 0;
        }
        // Never run it: it would run whenever that other thread got there, differently on every replay.
        Context.ReportEscape(
            $"A continuation of workflow code (task {task.Id}) was queued from outside the workflow's scheduler, by {Escapes.Cause()} " +
            $"(thread {Environment.CurrentManagedThreadId}, {(between ? "between decision tasks" : "while a decision task ran")}). " +
            "Workflow code may await only what the replay engine owns: activities, child workflows, Workflow.DelayAsync and " +
            "Workflow.WaitConditionAsync, without ConfigureAwait(false).");
    }

    // Never inline: continuations run in queue order, so every replay interleaves them the same way.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks()
    {
        lock (_gate) return _ready.ToArray();
    }

    public Task<T> Start<T>(Func<T> func) =>
        Task.Factory.StartNew(func, CancellationToken.None, TaskCreationOptions.None, this);

    public Task Start(Action action) =>
        Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.None, this);

    /// <summary>Marks the calling thread as the one driving this run (continuations it queues are accepted), and hides
    /// the caller's SynchronizationContext: await prefers one over TaskScheduler.Current, and a test runner's or UI's
    /// context would take the workflow's continuations away from this scheduler.</summary>
    public SynchronizationContext? Enter()
    {
        lock (_gate) _driverThread = Environment.CurrentManagedThreadId;
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        return previous;
    }

    public void Exit(SynchronizationContext? previous)
    {
        SynchronizationContext.SetSynchronizationContext(previous);
        lock (_gate) _driverThread = -1;
    }

    /// <summary>Runs queued work until the queue is empty. Returns false when nothing ran.</summary>
    public bool RunQueued()
    {
        var ran = false;
        while (true)
        {
            Task? next;
            lock (_gate)
            {
                if (!_ready.TryDequeue(out next))
                    return ran;
            }
            TryExecuteTask(next);
            ran = true;
        }
    }
}

/// <summary>Names what brought work into a run from outside its scheduler, from the stack of the thread that did it.</summary>
internal static class Escapes
{
    public static string Cause()
    {
        // Environment.StackTrace needs no metadata (safe under trimming and AOT); without stack trace data it is
        // empty, and the report falls back to the general description.
        var stack = Environment.StackTrace;
        if (stack.Contains("DelayPromise", StringComparison.Ordinal))
            return "Task.Delay finishing";
        // "TimerQueue", not "TimerQueueTimer": the JIT may inline TimerQueueTimer's frames into TimerQueue's, and which
        // of the two paths fires a timer (inline or queued to the pool) depends on the machine's load.
        var timer = stack.Contains("System.Threading.TimerQueue", StringComparison.Ordinal);
        if (timer && stack.Contains("CancellationTokenSource", StringComparison.Ordinal))
            return "a CancellationTokenSource's own timer (new CancellationTokenSource(delay) or CancelAfter; use a timer from Workflow.DelayAsync and cancel the source when it fires)";
        if (timer)
            return "a thread-pool timer (System.Threading.Timer, PeriodicTimer, a TimeProvider's timer)";
        if (stack.Contains("ThreadPoolWorkQueue", StringComparison.Ordinal) || stack.Contains("ThreadPool", StringComparison.Ordinal))
            return "work on the thread pool (Task.Run, Task.Factory.StartNew, I/O, or code that continued there after ConfigureAwait(false))";
        return "another thread (one the code started, or I/O completing)";
    }
}
