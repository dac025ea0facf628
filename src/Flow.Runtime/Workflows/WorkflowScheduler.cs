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
        if (Context.Abandoned)
            return; // the executor gave this run up: its code never runs again
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
                if (Context.Abandoned || !_ready.TryDequeue(out next))
                    return ran;
            }
            Context.BeginStep("one continuation of its code");
            try
            {
                TryExecuteTask(next);
            }
            finally
            {
                Context.EndStep();
            }
            ran = true;
        }
    }
}

/// <summary>Names what brought work into a run from outside its scheduler, from the thread that did it.</summary>
internal static class Escapes
{
    public static string Cause()
    {
        // A Task running on this thread: Task.Run or StartNew (its continuations run while it finishes). Reliable.
        if (Task.CurrentId is not null && Thread.CurrentThread.IsThreadPoolThread)
            return "a task on the thread pool (Task.Run or Task.Factory.StartNew)";
        // Environment.StackTrace needs no metadata (safe under trimming and AOT). The JIT may inline the runtime's own
        // frames away, so these are hints: when they are missing, the broader descriptions below still hold.
        var stack = Environment.StackTrace;
        if (stack.Contains("DelayPromise", StringComparison.Ordinal))
            return "Task.Delay finishing";
        if (stack.Contains("TimerQueue", StringComparison.Ordinal) || Thread.CurrentThread.Name == ".NET Timer")
            return "a timer callback (Task.Delay, System.Threading.Timer, PeriodicTimer, new CancellationTokenSource(delay) or CancelAfter)";
        if (Thread.CurrentThread.IsThreadPoolThread)
            return "a timer callback or other work on the thread pool (Task.Delay, System.Threading.Timer, new CancellationTokenSource(delay) " +
                   "or CancelAfter, I/O, or code that continued there after ConfigureAwait(false))";
        return "another thread (one the code started, or I/O completing)";
    }
}
