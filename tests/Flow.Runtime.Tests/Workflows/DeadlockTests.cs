using System.Diagnostics;
using RecordedLogs = Flow.Runtime.Tests.Workers.TestLoggerFactory;
using Flow.Swf;
using Flow.Workflows;

namespace Flow.Runtime.Tests.Workflows;

/// <summary>Workflow code that does not hand control back to its scheduler within ReplayOptions.DeadlockDetectionTimeout
/// fails the decision task (never the workflow), and its thread is abandoned.</summary>
public class DeadlockTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(200);

    private static (WorkflowExecutor Executor, RecordedLogs Logs) Executor(Func<string?, Task<string?>> workflow, bool failWorkflowOnNonDeterminism = false)
    {
        var logs = new RecordedLogs();
        return (Defs.Executor(workflow, new ReplayOptions
        {
            DeadlockDetectionTimeout = Short, LoggerFactory = logs, FailWorkflowOnNonDeterminism = failWorkflowOnNonDeterminism,
        }), logs);
    }

    private static DecisionTask FirstTask()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();
        return h.Task();
    }

    [Test]
    public async Task Blocking_on_an_activitys_Result_fails_the_decision_task_and_names_the_blocking()
    {
        var (executor, logs) = Executor(_ => Task.FromResult(Workflow.ExecuteActivityAsync(Defs.Act, null).Result));

        var error = Assert.ThrowsAsync<WorkflowDeadlockException>(() => executor.ProcessDecisionTaskAsync(FirstTask()))!;

        Assert.That(error.Message, Does.Contain("0.2 s").And.Contain("without handing control back").And.Contain(".Result")
            .And.Contain("FLOW056").And.Contain("wf-1"));
        // The engine fails what the abandoned code waits on, so its thread comes back instead of staying blocked.
        var returned = await logs.WhenLogged(l => l.Contains("abandoned thread")).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(returned, Does.Contain("returned"));
    }

    [Test, NonParallelizable]
    public void Detection_is_on_time_while_blocked_code_starves_the_thread_pool()
    {
        // The code the watchdog catches holds pool threads; so do these blockers, queued beyond the pool's size, with
        // the pool kept from growing. A watchdog that needs a pool thread to run (a timer's callback) never runs.
        using var entered = new ManualResetEventSlim();
        var release = new ManualResetEventSlim(); // not disposed: blockers still queued when the test ends wait on it
        var (executor, logs) = Executor(_ =>
        {
            entered.Set();
            return Task.FromResult(Workflow.ExecuteActivityAsync(Defs.Act, null).Result);
        });
        var detected = logs.WhenLogged(l => l.Contains("without handing control back"));
        var processing = executor.ProcessDecisionTaskAsync(FirstTask());
        Assert.That(entered.Wait(TimeSpan.FromSeconds(20)), "the workflow code ran");
        ThreadPool.GetMaxThreads(out var maxWorkers, out var maxIo);
        ThreadPool.GetMinThreads(out var minWorkers, out _);
        var cap = Math.Max(ThreadPool.ThreadCount, Math.Max(minWorkers, Environment.ProcessorCount));
        Assert.That(ThreadPool.SetMaxThreads(cap, maxIo), "the pool's size is capped");
        var stopwatch = Stopwatch.StartNew();
        try
        {
            for (var i = cap + 8; i > 0; i--)
                ThreadPool.UnsafeQueueUserWorkItem(_ => release.Wait(), null);
            // Sync waits on this test's own thread: an await would need the starved pool too.
            Assert.That(detected.Wait(TimeSpan.FromSeconds(2)), Is.True,
                $"no deadlock reported {stopwatch.Elapsed.TotalSeconds:0.0} s into the starvation (timeout {Short.TotalSeconds} s)");
        }
        finally
        {
            ThreadPool.SetMaxThreads(maxWorkers, maxIo);
            release.Set();
        }
        Assert.ThrowsAsync<WorkflowDeadlockException>(() => processing);
    }

    [Test]
    public void Waiting_on_a_timer_is_detected_as_well_and_never_fails_the_workflow()
    {
        // Even when non-determinism would fail the workflow: a blocked decision is a bug to fix, not a verdict on the run.
        var (executor, _) = Executor(_ =>
        {
            Workflow.DelayAsync(TimeSpan.FromMinutes(1)).Wait();
            return Task.FromResult<string?>("late");
        }, failWorkflowOnNonDeterminism: true);

        Assert.ThrowsAsync<WorkflowDeadlockException>(() => executor.ProcessDecisionTaskAsync(FirstTask()));
    }

    [Test]
    public void A_busy_loop_in_a_signal_handler_is_detected_too()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.Signaled("spin", null);
        h.Decide();
        using var stop = new CancellationTokenSource();
        var logs = new RecordedLogs();
        var executor = Defs.Executor(() => new TestWorkflow(async _ => { await Workflow.DelayAsync(Timeout.InfiniteTimeSpan); return null; })
        {
            Signals = { ["spin"] = _ => { while (!stop.IsCancellationRequested) Thread.SpinWait(100); return Task.CompletedTask; } },
        }, new ReplayOptions { DeadlockDetectionTimeout = Short, LoggerFactory = logs });

        try
        {
            Assert.ThrowsAsync<WorkflowDeadlockException>(() => executor.ProcessDecisionTaskAsync(h.Task()));
        }
        finally
        {
            stop.Cancel();
        }
    }

    [Test]
    public async Task An_abandoned_executor_is_not_used_again_and_a_fresh_one_replays_the_fixed_code()
    {
        var (executor, _) = Executor(_ => Task.FromResult(Workflow.ExecuteActivityAsync(Defs.Act, null).Result));
        var task = FirstTask();
        Assert.ThrowsAsync<WorkflowDeadlockException>(() => executor.ProcessDecisionTaskAsync(task));

        Assert.That(executor.LastAppliedEventId, Is.EqualTo(-1));
        Assert.Throws<InvalidOperationException>(() => executor.ProcessDecisionTask(task));
        var (fixedCode, _) = Executor(async _ => await Workflow.ExecuteActivityAsync(Defs.Act, null));
        var result = await fixedCode.ProcessDecisionTaskAsync(task);
        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.ScheduleActivityTask }));
    }

    [Test]
    public async Task Code_that_hands_control_back_in_time_is_not_reported()
    {
        var (executor, _) = Executor(async _ =>
        {
            var all = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Workflow.ExecuteActivityAsync(Defs.Act, null)));
            return all.Length.ToString();
        });

        var result = await executor.ProcessDecisionTaskAsync(FirstTask());

        Assert.That(result.Decisions, Has.Count.EqualTo(50));
    }

    [TestCase(0)]
    [TestCase(-5)]
    public void A_timeout_that_is_not_positive_is_refused(int milliseconds)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            _ = new ReplayOptions { DeadlockDetectionTimeout = TimeSpan.FromMilliseconds(milliseconds) })!;
        Assert.That(error.Message, Does.Contain("DeadlockDetectionTimeout"));
    }
}
