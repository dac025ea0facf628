using System.Diagnostics;

namespace Flow.Workflows;

/// <summary>
/// One background thread per process that watches every decision in flight for workflow code that does not hand
/// control back. It is its own thread, not a timer, because the code it catches (a .Result, a .Wait()) blocks
/// thread-pool threads: with the pool starved, a timer's callback would wait in the same queue as the work that
/// would free it, and detection would come seconds late.
/// </summary>
internal static class DeadlockWatchdog
{
    private static readonly object Gate = new(); // a Monitor: the thread waits on it
    private static readonly List<Watch> Watches = [];
    private static Thread? _thread;

    /// <summary>Watches <paramref name="executor"/> until disposed; <see cref="Watch.Tripped"/> completes with the
    /// error once the executor has been abandoned.</summary>
    public static Watch Start(WorkflowExecutor executor, Task<DecisionTaskResult> work, TimeSpan timeout)
    {
        var watch = new Watch(executor, work, timeout);
        lock (Gate)
        {
            Watches.Add(watch);
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "Flow deadlock watchdog" };
                _thread.Start();
            }
            Monitor.Pulse(Gate);
        }
        return watch;
    }

    private static void Run()
    {
        List<(Watch, WorkflowContext, WorkflowContext.StepInfo, TimeSpan)> due = [];
        while (true)
        {
            lock (Gate)
            {
                while (true)
                {
                    var wait = Timeout.InfiniteTimeSpan;
                    foreach (var watch in Watches)
                    {
                        var next = watch.Timeout;
                        if (watch.Executor.Context is { } context && context.Step is { Started: > 0 } step)
                        {
                            var elapsed = Stopwatch.GetElapsedTime(step.Started);
                            if (elapsed >= watch.Timeout && !Debugger.IsAttached)
                            {
                                due.Add((watch, context, step, elapsed));
                                continue;
                            }
                            // A step that ends and another that begins before this wake-up are seen then: detection
                            // takes at most twice the timeout.
                            next = elapsed < watch.Timeout ? watch.Timeout - elapsed : watch.Timeout;
                        }
                        if (wait == Timeout.InfiniteTimeSpan || next < wait)
                            wait = next;
                    }
                    foreach (var (watch, _, _, _) in due)
                        Watches.Remove(watch);
                    if (due.Count > 0)
                        break;
                    // Monitor.Wait, not a pool timer: see the class comment. A new watch pulses.
                    Monitor.Wait(Gate, wait);
                }
            }
            // Outside the lock: abandoning logs and fails the tasks the blocked code waits on.
            foreach (var (watch, context, step, elapsed) in due)
                watch.Trip(context, step, elapsed);
            due.Clear();
        }
    }

    internal sealed class Watch(WorkflowExecutor executor, Task<DecisionTaskResult> work, TimeSpan timeout) : IDisposable
    {
        private readonly TaskCompletionSource<WorkflowDeadlockException> _tripped = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public WorkflowExecutor Executor { get; } = executor;
        public TimeSpan Timeout { get; } = timeout;
        public Task<WorkflowDeadlockException> Tripped => _tripped.Task;

        internal void Trip(WorkflowContext context, WorkflowContext.StepInfo step, TimeSpan elapsed)
        {
            if (!work.IsCompleted) // it may have come back since the check
                _tripped.TrySetResult(Executor.Abandon(context, step, elapsed, work));
        }

        public void Dispose()
        {
            lock (Gate)
                Watches.Remove(this);
        }
    }
}
