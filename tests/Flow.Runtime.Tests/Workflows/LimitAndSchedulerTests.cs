using Flow.Swf;
using Flow.Workflows;

namespace Flow.Runtime.Tests.Workflows;

public class LimitTests
{
    private static Func<string?, Task<string?>> FanOut(int count, int inputSize = 1) => async _ =>
    {
        var input = new string('i', inputSize);
        var all = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => Workflow.ExecuteActivityAsync(Defs.Act, input)));
        return all.Length.ToString();
    };

    [Test]
    public void More_than_100_decisions_are_cut_at_99_and_a_zero_second_timer()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();

        var result = Defs.Executor(FanOut(150)).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions, Has.Count.EqualTo(100));
        Assert.That(result.Decisions.Take(99).Select(d => d.DecisionType), Is.All.EqualTo(DecisionType.ScheduleActivityTask));
        var timer = result.Decisions[99].StartTimerDecisionAttributes!;
        Assert.That((timer.TimerId, timer.StartToFireTimeout), Is.EqualTo((WorkflowContext.ContinueTimerId, "0")));
    }

    [Test]
    public void The_rest_goes_out_when_the_zero_second_timer_fires_and_replay_ignores_the_timer()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        for (var i = 1; i <= 99; i++)
            h.ActivityScheduled(i.ToString());
        var t = h.TimerStarted(WorkflowContext.ContinueTimerId, "0");
        h.TimerFired(WorkflowContext.ContinueTimerId, t);
        h.Decide();

        var result = Defs.Executor(FanOut(150)).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions.Select(d => d.ScheduleActivityTaskDecisionAttributes!.ActivityId), Is.EqualTo(Enumerable.Range(100, 51).Select(i => i.ToString())));
    }

    [Test]
    public void A_response_that_would_pass_1_MB_is_cut_the_same_way()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();

        var result = Defs.Executor(FanOut(60, 30_000)).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions, Has.Count.LessThan(61));
        Assert.That(result.Decisions[^1].StartTimerDecisionAttributes!.TimerId, Is.EqualTo(WorkflowContext.ContinueTimerId));
        Assert.That(result.Decisions.Sum(d => d.ScheduleActivityTaskDecisionAttributes?.Input?.Length ?? 0), Is.LessThan(1_000_000));
    }

    [Test]
    public void The_execution_context_counts_toward_the_1_MB_of_a_response()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();
        var executor = Defs.Executor(() => new TestWorkflow(FanOut(90, 9_000)) { State = () => $"\"{new string('<', 32_000)}\"" });

        var result = executor.ProcessDecisionTask(h.Task());

        // What the worker sends: decisions and executionContext in one JSON body.
        var body = System.Text.Encoding.UTF8.GetByteCount(Defs.Json(result.Decisions, result.ExecutionContext));
        Assert.That(body, Is.LessThan(1_000_000));
        Assert.That(result.Decisions[^1].StartTimerDecisionAttributes?.TimerId, Is.EqualTo(WorkflowContext.ContinueTimerId), "the rest waits for the next decision");
        Assert.That(result.ExecutionContext, Has.Length.EqualTo(32_002));
    }

    [Test]
    public void A_GetState_value_over_SWFs_limit_is_left_out_and_logged_and_the_decisions_still_go()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();
        var logs = new TestLoggerFactory();

        var result = Defs.Executor(() => new TestWorkflow(_ => Workflow.ExecuteActivityAsync(Defs.Act, null))
        { State = () => new string('s', 40_000) }, new ReplayOptions { LoggerFactory = logs }).ProcessDecisionTask(h.Task());

        Assert.That(result.ExecutionContext, Is.Null);
        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.ScheduleActivityTask }));
        Assert.That(logs.Messages, Has.Some.Contains("executionContext").And.Some.Contains("40000"));
    }

    [Test]
    public void A_GetState_member_that_throws_is_left_out_and_logged_and_the_decisions_still_go()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();
        var logs = new TestLoggerFactory();

        var result = Defs.Executor(() => new TestWorkflow(_ => Workflow.ExecuteActivityAsync(Defs.Act, null))
        { State = () => throw new InvalidOperationException("state is broken") }, new ReplayOptions { LoggerFactory = logs }).ProcessDecisionTask(h.Task());

        Assert.That(result.ExecutionContext, Is.Null);
        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.ScheduleActivityTask }));
        Assert.That(logs.Messages, Has.Some.Contains("[GetState]").And.Some.Contains("state is broken"));
    }
}

public class SchedulerTests
{
    [Test]
    public void The_workflow_API_outside_workflow_code_names_the_likely_cause()
    {
        var error = Assert.Throws(Is.InstanceOf<InvalidOperationException>(), () => _ = Workflow.UtcNow);

        Assert.That(error!.Message, Does.Contain("Workflow.UtcNow").And.Contain("Task.Run").And.Contain("ConfigureAwait(false)"));
    }

    [Test]
    public void Workflow_code_after_ConfigureAwait_false_fails_the_decision_task_not_the_workflow_and_names_the_cause()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var t = h.TimerStarted("t1", "1");
        h.TimerFired("t1", t);
        h.Decide();

        var error = Assert.Throws<NonDeterminismException>(() => Defs.Executor(async _ =>
        {
            await Workflow.DelayAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            return Workflow.UtcNow.ToString();
        }).ProcessDecisionTask(h.Task()));

        Assert.That(error!.Message, Does.Contain("Workflow.UtcNow was called by workflow code that had left its scheduler")
            .And.Contain("after ConfigureAwait(false)"));
    }

    /// <summary>Runs the first decision of <paramref name="workflow"/> beside a timer of the run's own (so the run still awaits
    /// something it owns and the decision is answered), lets <paramref name="release"/> start the work that escapes, and
    /// returns the error the run reports: at once, or on its next decision task.</summary>
    private static string Escape(Func<string?, Task<string?>> workflow, Action? release = null)
    {
        var h = new HistoryBuilder().Started();
        var started = h.Decide();
        var logs = new TestLoggerFactory();
        var executor = Defs.Executor(input =>
        {
            _ = Workflow.DelayAsync(TimeSpan.FromDays(1));
            return workflow(input);
        }, new ReplayOptions { LoggerFactory = logs });
        try
        {
            Assert.That(executor.ProcessDecisionTask(h.Task()).Decisions, Has.None.Matches<Decision>(d => d.DecisionType == DecisionType.FailWorkflowExecution));
        }
        catch (NonDeterminismException early)
        {
            return early.Message; // it escaped while the decision still ran
        }
        release?.Invoke();
        Assert.That(logs.ErrorLogged.Wait(TimeSpan.FromSeconds(30)), Is.True, "the escape is logged when it happens");
        Assert.That(logs.Messages, Has.Some.Contains("outside"));

        h.DecisionCompleted();
        h.TimerStarted("t1", "86400");
        h.Signaled("poke", null);
        h.Decide();
        return Assert.Throws<NonDeterminismException>(() => executor.ProcessDecisionTask(h.Task(after: started)))!.Message;
    }

    /// <summary>The first decision of <paramref name="workflow"/>, alone: it is answered (no decisions, the run not failed)
    /// and a warning names what the code may be waiting on. Returns the warnings.</summary>
    private static List<string> WarnsAtItsFirstDecision(Func<string?, Task<string?>> workflow)
    {
        var h = new HistoryBuilder().Started();
        h.Decide();
        var logs = new TestLoggerFactory();

        var result = Defs.Executor(workflow, new ReplayOptions { LoggerFactory = logs }).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions, Is.Empty);
        var warnings = logs.Messages.Where(m => m.Contains("on nothing this run owns", StringComparison.Ordinal)).ToList();
        Assert.That(warnings, Has.Count.EqualTo(1));
        return warnings;
    }

    [Test]
    public void Awaiting_Task_Run_alone_is_warned_about_in_the_decision_in_which_it_happens()
    {
        using var release = new ManualResetEventSlim();

        var warnings = WarnsAtItsFirstDecision(async _ =>
        {
            await Task.Run(() => release.Wait());
            return "x";
        });

        release.Set();
        Assert.That(warnings[0], Does.Contain("Task.Run"));
    }

    [Test]
    public void Awaiting_Task_Delay_alone_is_warned_about_in_the_decision_in_which_it_happens()
    {
        var warnings = WarnsAtItsFirstDecision(async _ =>
        {
            await Task.Delay(TimeSpan.FromHours(1));
            return "never deterministic";
        });

        Assert.That(warnings[0], Does.Contain("Task.Delay"));
    }

    [Test]
    public void ConfigureAwait_false_on_a_slow_task_from_outside_is_warned_about_in_the_decision_in_which_it_happens()
    {
        var slow = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);

        var warnings = WarnsAtItsFirstDecision(async _ =>
        {
            var value = await slow.Task.ConfigureAwait(false);
            return value;
        });

        slow.SetResult("late");
        Assert.That(warnings[0], Does.Contain("ConfigureAwait(false)"));
    }

    [Test]
    public void Escaped_work_that_comes_back_fails_the_next_decision_naming_its_cause_and_never_the_run()
    {
        using var release = new ManualResetEventSlim();
        var h = new HistoryBuilder().Started();
        var started = h.Decide();
        var logs = new TestLoggerFactory();
        var executor = Defs.Executor(async _ =>
        {
            await Task.Run(() => release.Wait());
            return "x";
        }, new ReplayOptions { LoggerFactory = logs });
        Assert.That(executor.ProcessDecisionTask(h.Task()).Decisions, Is.Empty);

        release.Set();
        Assert.That(logs.ErrorLogged.Wait(TimeSpan.FromSeconds(30)), Is.True, "the escape is logged when it comes back");
        h.DecisionCompleted();
        h.Signaled("poke", null);
        h.Decide();
        var error = Assert.Throws<NonDeterminismException>(() => executor.ProcessDecisionTask(h.Task(after: started)));

        Assert.That(error!.Message, Does.Contain("Task.Run"));
    }

    [Test]
    public void A_TaskCompletionSource_that_a_signal_completes_is_waited_for_without_failing_a_decision()
    {
        TaskCompletionSource<string?>? approval = null;
        TestWorkflow Create() => new(async _ =>
        {
            approval = new TaskCompletionSource<string?>();
            return await approval.Task;
        })
        {
            Signals = { ["approve"] = input => { approval!.TrySetResult(input); return Task.CompletedTask; } },
        };
        var h = new HistoryBuilder().Started();
        var started = h.Decide();
        var executor = Defs.Executor(Create);
        Assert.That(executor.ProcessDecisionTask(h.Task()).Decisions, Is.Empty);
        h.DecisionCompleted();
        h.Signaled("approve", "\"yes\"");
        h.Decide();

        var result = executor.ProcessDecisionTask(h.Task(after: started));

        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.CompleteWorkflowExecution }));
        Assert.That(Defs.Executor(Create).ProcessDecisionTask(h.Task()).Types(), Is.EqualTo(new[] { DecisionType.CompleteWorkflowExecution }),
            "a replay from scratch makes the same decision");
    }

    [Test]
    public void Code_that_waits_for_its_own_activity_timer_or_condition_is_answered_normally()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();

        var result = Defs.Executor(async _ =>
        {
            var activity = Workflow.ExecuteActivityAsync(Defs.Act, null);
            var timer = Workflow.DelayAsync(TimeSpan.FromMinutes(1));
            await Workflow.WaitConditionAsync(() => activity.IsCompleted && timer.IsCompleted);
            await Workflow.DelayAsync(Timeout.InfiniteTimeSpan, Workflow.CancellationToken);
            return null;
        }).ProcessDecisionTask(h.Task());

        Assert.That(result.Types(), Is.EqualTo(new[] { DecisionType.ScheduleActivityTask, DecisionType.StartTimer }));
    }

    [Test]
    public void An_endless_Workflow_DelayAsync_is_a_wait_of_the_run_and_answered_normally()
    {
        var h = new HistoryBuilder().Started();
        h.Decide();

        var result = Defs.Executor(async _ =>
        {
            await Workflow.DelayAsync(Timeout.InfiniteTimeSpan, Workflow.CancellationToken);
            return null;
        }).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions, Is.Empty);
    }

    [Test]
    public void Workflow_code_continuing_on_another_thread_after_ConfigureAwait_false_fails_a_decision_never_the_run()
    {
        // The run still waits for its activity, so the first decision is answered; the code that continued on the thread
        // pool calls the workflow API there and ends with its error, which must fail a decision, not close the run as failed.
        var slow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<string?>? code = null;
        async Task<string?> Body()
        {
            var activity = Workflow.ExecuteActivityAsync(Defs.Act, null);
            await slow.Task.ConfigureAwait(false);
            var now = Workflow.UtcNow;
            return await activity + now.Year;
        }
        var h = new HistoryBuilder().Started();
        var started = h.Decide();
        var executor = Defs.Executor(_ => code = Body());
        Assert.That(executor.ProcessDecisionTask(h.Task()).Types(), Is.EqualTo(new[] { DecisionType.ScheduleActivityTask }));

        slow.SetResult();
        // Wait for a continuation registered after the executor's own: continuations of one task run in the order they
        // were registered, so once this one has run the executor has seen the code end (its wait handle is set before).
        var seen = code!.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Assert.That(seen.Wait(TimeSpan.FromSeconds(30)), Is.True, "the code ran on to its end on the pool");
        h.DecisionCompleted();
        var s = h.ActivityScheduled("1");
        h.ActivityStarted(s);
        h.ActivityCompleted(s, "\"done\"");
        h.Decide();

        var error = Assert.Throws<NonDeterminismException>(() => executor.ProcessDecisionTask(h.Task(after: started)));

        Assert.That(error!.Message, Does.Contain("Workflow.UtcNow").And.Contain("ConfigureAwait(false)"));
    }

    [Test]
    public void Awaiting_Task_Delay_beside_work_of_the_run_is_reported_naming_Task_Delay_when_it_finishes()
    {
        var message = Escape(async _ =>
        {
            await Task.Delay(50);
            return "never deterministic";
        });

        // The runtime's timer frames may be inlined away, so the cause is Task.Delay itself or a timer, never a Task or a thread.
        Assert.That(message, Does.Contain("outside the workflow's scheduler, by ").And.Contain("Task.Delay"));
        Assert.That(message, Does.Not.Contain("Task.Run").And.Not.Contain("another thread"));
    }

    [Test]
    public void Awaiting_Task_Run_beside_work_of_the_run_is_reported_naming_the_thread_pool()
    {
        using var release = new ManualResetEventSlim();

        var message = Escape(async _ =>
        {
            await Task.Run(() => release.Wait());
            return "x";
        }, release.Set);

        Assert.That(message, Does.Contain("outside the workflow's scheduler, by a task on the thread pool (Task.Run"));
    }

    [Test]
    public void A_thread_pool_timer_completing_what_the_code_awaits_is_reported_naming_the_timer()
    {
        using var release = new ManualResetEventSlim();
        Timer? timer = null;

        var message = Escape(async _ =>
        {
            var done = new TaskCompletionSource<string?>();
            timer = new Timer(_ => { release.Wait(); done.TrySetResult("tick"); }, null, 0, Timeout.Infinite);
            return await done.Task;
        }, release.Set);

        timer?.Dispose();
        Assert.That(message, Does.Contain("outside the workflow's scheduler, by a timer callback").And.Contain("System.Threading.Timer"));
        Assert.That(message, Does.Not.Contain("Task.Run"));
    }

    [Test]
    public async Task Without_the_runtimes_timer_frames_the_cause_still_says_what_the_timer_tests_expect()
    {
        // A plain thread-pool work item: no Task, no DelayPromise or TimerQueue frame, as when the JIT inlined them away
        // from a timer callback. The fallback must still satisfy the Task.Delay, Timer and CancelAfter tests above.
        var cause = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        ThreadPool.UnsafeQueueUserWorkItem(_ => cause.SetResult(Escapes.Cause()), null);

        var text = await cause.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That("by " + text, Does.StartWith("by a timer callback"));
        Assert.That(text, Does.Contain("Task.Delay").And.Contain("System.Threading.Timer").And.Contain("CancelAfter"));
        Assert.That(text, Does.Not.Contain("Task.Run").And.Not.Contain("another thread"));
    }

    [Test]
    public void A_thread_the_code_started_is_reported_as_another_thread()
    {
        using var release = new ManualResetEventSlim();

        var message = Escape(async _ =>
        {
            var done = new TaskCompletionSource<string?>();
            new Thread(() => { release.Wait(); done.TrySetResult("t"); }).Start();
            return await done.Task;
        }, release.Set);

        Assert.That(message, Does.Contain("outside the workflow's scheduler, by another thread"));
    }

    [Test]
    public void A_token_cancelled_by_its_own_timer_is_reported_and_does_not_take_the_process_down()
    {
        // new CancellationTokenSource(delay) cancels on a thread-pool timer; the engine's cancellation callback used to
        // throw there, which ends the process.
        var message = Escape(async _ =>
        {
            var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
            return await Workflow.ExecuteActivityAsync(Defs.Act, null, new ActivityOptions { CancellationToken = timeout.Token });
        });

        Assert.That(message, Does.Contain("The token of activity 1 was cancelled outside workflow code, by a timer callback").And.Contain("CancelAfter"));
    }

    [Test]
    public void A_token_cancelled_from_another_thread_leaves_the_runs_state_alone()
    {
        using var cts = new CancellationTokenSource();
        Task<string?>? activity = null;

        var message = Escape(_ =>
        {
            activity = Workflow.ExecuteActivityAsync(Defs.Act, null, new ActivityOptions { CancellationToken = cts.Token });
            return activity;
        }, () => Task.Run(cts.Cancel).Wait());

        Assert.That(message, Does.Contain("The token of activity 1 was cancelled outside workflow code, by a task on the thread pool (Task.Run"));
        Assert.That(activity!.IsCompleted, Is.False, "the cancellation did not reach the command from the other thread");
    }

    [Test]
    public void IsReplaying_is_true_for_recorded_decisions_and_the_logger_is_silent_then()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        var s = h.ActivityScheduled("1");
        h.ActivityCompleted(s, "\"one\"");
        h.Decide();
        var seen = new List<bool>();
        var logs = new TestLoggerFactory();

        Defs.Executor(async _ =>
        {
            seen.Add(Workflow.IsReplaying);
            Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(Workflow.Logger, "before {Step}", 1);
            await Workflow.ExecuteActivityAsync(Defs.Act, null);
            seen.Add(Workflow.IsReplaying);
            Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(Workflow.Logger, "after {Step}", 2);
            await Workflow.WaitConditionAsync(() => false);
            return null;
        }, new ReplayOptions { LoggerFactory = logs }).ProcessDecisionTask(h.Task());

        Assert.That(seen, Is.EqualTo(new[] { true, false }));
        Assert.That(logs.Messages, Is.EqualTo(new[] { "after 2" }));
    }

    [Test]
    public void WhenAny_over_an_activity_and_a_timer_resumes_on_the_scheduler()
    {
        var h = new HistoryBuilder().Started();
        h.Decided();
        h.ActivityScheduled("1");
        var t = h.TimerStarted("t1", "5");
        h.TimerFired("t1", t);
        h.Decide();

        var result = Defs.Executor(async _ =>
        {
            var activity = Workflow.ExecuteActivityAsync(Defs.Act, null);
            var timer = Workflow.DelayAsync(TimeSpan.FromSeconds(5));
            var first = await Task.WhenAny(activity, timer);
            return first == timer ? $"timer at {Workflow.UtcNow:HH:mm:ss}" : "activity";
        }).ProcessDecisionTask(h.Task());

        Assert.That(result.Decisions.Single().CompleteWorkflowExecutionDecisionAttributes!.Result, Is.EqualTo("timer at 00:00:08"));
    }
}
