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
    private string? _escape;

    public WorkflowContext Context { get; } = context;

    /// <summary>A description of the first continuation that arrived from outside the scheduler, if any.</summary>
    public string? Escape
    {
        get { lock (_gate) return _escape; }
    }

    public override int MaximumConcurrencyLevel => 1;

    public bool IsDriverThread
    {
        get { lock (_gate) return Environment.CurrentManagedThreadId == _driverThread; }
    }

    protected override void QueueTask(Task task)
    {
        lock (_gate)
        {
            if (Environment.CurrentManagedThreadId != _driverThread)
            {
                // Never run it: it would run whenever that other thread got there, differently on every replay.
                _escape ??= $"A continuation of workflow code (task {task.Id}) was queued from outside the workflow's scheduler " +
                            $"(thread {Environment.CurrentManagedThreadId}, {(_driverThread < 0 ? "between decision tasks" : "while a decision task ran")}). " +
                            "Workflow code awaited something the replay engine does not own, such as Task.Delay, Task.Run, a thread-pool timer or " +
                            "I/O, or continued after ConfigureAwait(false). Use Workflow.DelayAsync, activities and Workflow.WaitConditionAsync instead.";
                Context.ReportEscape(_escape);
                return;
            }
            _ready.Enqueue(task);
        }
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
