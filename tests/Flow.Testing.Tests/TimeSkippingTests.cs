using System.Diagnostics;
using System.Text.Json;
using Flow;
using Flow.Swf;
using NUnit.Framework;

namespace Flow.Testing.Tests;

[Parallelizable(ParallelScope.All)]
public sealed class TimeSkippingTests
{
    private static readonly ActivityInvoker Hang = async (_, context) =>
    {
        await Task.Delay(Timeout.Infinite, context.CancellationToken);
        return null;
    };

    private static WorkflowTestEnvironment Environment(bool activitiesHoldTime = true)
    {
        var env = new WorkflowTestEnvironment(new WorkflowTestEnvironmentOptions { ActivitiesHoldTime = activitiesHoldTime });
        env.AddWorkflow(SleeperDispatch.CreateHandler(() => new SleeperWorkflow()));
        env.AddWorkflow(ScenarioDispatch.CreateHandler(() => new ScenarioWorkflow()));
        env.AddWorkflow(CounterDispatch.CreateHandler(() => new CounterWorkflow()));
        env.AddWorkflow(WaiterDispatch.CreateHandler(() => new WaiterWorkflow()));
        env.AddActivities(TestActivitiesDispatch.CreateHandlers(() => new QuickActivities()));
        env.AddActivityType(OrphanActivitiesDispatch.Lost);
        return env;
    }

    [Test]
    public async Task A_thirty_day_timer_finishes_in_milliseconds_of_wall_time()
    {
        await using var env = Environment();
        var started = env.UtcNow;
        var wall = Stopwatch.StartNew();

        var run = await new SleeperClient(env.Client).StartAsync("sleeper", 30);
        var result = await run.GetResultAsync();

        Assert.That(result, Is.EqualTo("slept 30 days"));
        Assert.That(env.UtcNow - started, Is.EqualTo(TimeSpan.FromDays(30)));
        Assert.That(wall.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task Time_stands_still_until_a_test_waits_for_a_result()
    {
        await using var env = Environment();
        var started = env.UtcNow;
        var run = await new SleeperClient(env.Client).StartAsync("still", 30);
        await env.WaitIdleAsync();

        Assert.That(env.UtcNow, Is.EqualTo(started));
        Assert.That((await run.DescribeAsync()).ExecutionInfo.ExecutionStatus, Is.EqualTo(ExecutionStatus.Open));
    }

    [Test]
    public async Task A_signal_sent_during_a_sleep_wakes_the_workflow_at_that_virtual_time()
    {
        await using var env = Environment();
        var run = await new SleeperClient(env.Client).StartAsync("woken", 30);

        await env.SkipAsync(TimeSpan.FromDays(1));
        await run.WakeAsync("the alarm");

        Assert.That(await run.GetResultAsync(), Is.EqualTo("woken by the alarm after 24h"));
    }

    [Test]
    public async Task SkipAsync_fires_timers_on_the_way_and_lands_on_the_asked_time()
    {
        await using var env = Environment();
        var started = env.UtcNow;
        var run = await new SleeperClient(env.Client).StartAsync("skipped", 2);

        await env.SkipAsync(TimeSpan.FromDays(3));

        Assert.That(env.UtcNow - started, Is.EqualTo(TimeSpan.FromDays(3)));
        var history = await env.GetHistoryAsync(run.Execution);
        TestContext.Out.WriteLine(string.Join("\n", history.Select(e => $"{e.EventId} {e.EventTimestamp:O} {e.EventType} {e.TimerStartedEventAttributes?.StartToFireTimeout} {e.WorkflowExecutionStartedEventAttributes?.ExecutionStartToCloseTimeout}")));
        Assert.That(history.Select(e => e.EventType), Does.Contain(EventType.TimerFired).And.Contain(EventType.WorkflowExecutionCompleted));
        var fired = history.First(e => e.EventType == EventType.TimerFired);
        Assert.That(fired.EventTimestamp - started, Is.EqualTo(TimeSpan.FromDays(2)));
    }

    [Test]
    public async Task Activity_retries_back_off_in_virtual_time()
    {
        await using var env = Environment();
        int attempts = 0;
        env.AddActivity(TestActivitiesDispatch.Echo, (input, _) =>
            Interlocked.Increment(ref attempts) <= 2
                ? throw new IOException("flaky")
                : Task.FromResult<string?>(JsonSerializer.Serialize("echo")));

        var result = await new ScenarioClient(env.Client).StartAsync("retry", "retry").ContinueWith(t => t.Result.GetResultAsync()).Unwrap();

        Assert.That(result, Is.EqualTo("echo after 30 min"));
        Assert.That(attempts, Is.EqualTo(3));
    }

    [Test]
    public async Task An_activity_start_to_close_timeout_fires_in_virtual_time()
    {
        await using var env = Environment(activitiesHoldTime: false);
        env.AddActivity(TestActivitiesDispatch.Slow, Hang);

        var run = await new ScenarioClient(env.Client).StartAsync("s2c", "start-to-close");

        Assert.That(await run.GetResultAsync(), Is.EqualTo("timed out StartToClose after 60 s"));
    }

    [Test]
    public async Task An_activity_heartbeat_timeout_fires_in_virtual_time()
    {
        await using var env = Environment(activitiesHoldTime: false);
        env.AddActivity(TestActivitiesDispatch.Slow, async (_, context) =>
        {
            await context.HeartbeatAsync("started");
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return null;
        });

        var run = await new ScenarioClient(env.Client).StartAsync("hb", "heartbeat");

        Assert.That(await run.GetResultAsync(), Is.EqualTo("timed out Heartbeat after 10 s"));
    }

    [Test]
    public async Task An_activity_schedule_to_close_timeout_fires_in_virtual_time()
    {
        await using var env = Environment(activitiesHoldTime: false);
        env.AddActivity(TestActivitiesDispatch.Slow, Hang);

        var run = await new ScenarioClient(env.Client).StartAsync("s2close", "schedule-to-close");

        Assert.That(await run.GetResultAsync(), Is.EqualTo("timed out ScheduleToClose after 120 s"));
    }

    [Test]
    public async Task An_activity_schedule_to_start_timeout_fires_when_no_worker_polls_its_list()
    {
        await using var env = Environment();

        var run = await new ScenarioClient(env.Client).StartAsync("s2s", "schedule-to-start");

        Assert.That(await run.GetResultAsync(), Is.EqualTo("timed out ScheduleToStart after 60 s"));
    }

    [Test]
    public async Task A_running_activity_holds_time_by_default_until_it_returns()
    {
        await using var env = Environment();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        env.AddActivity(TestActivitiesDispatch.Slow, (_, _) =>
        {
            started.TrySetResult();
            return release.Task;
        });
        var run = await new ScenarioClient(env.Client).StartAsync("held", "start-to-close");
        await started.Task;
        var pending = await env.GetPendingActivitiesAsync();
        Assert.That(pending.Select(p => (p.ActivityType.Name, p.Started)), Is.EqualTo(new[] { ("TestActivities.Slow", true) }));

        var before = env.UtcNow;
        var result = run.GetResultAsync();
        await env.HeldByActivity;
        Assert.That((result.IsCompleted, env.UtcNow), Is.EqualTo((false, before)), "time moved under a running activity");

        release.SetResult("\"done\"");
        Assert.That(await result, Is.EqualTo("finished"));
        Assert.That(env.UtcNow, Is.EqualTo(before));
    }

    [Test]
    public async Task The_workflow_execution_timeout_fires_in_virtual_time()
    {
        await using var env = Environment();
        var run = await new WaiterClient(env.Client).StartAsync("forgotten", "nobody signals");

        var error = Assert.ThrowsAsync<WorkflowTimedOutException>(() => run.GetResultAsync());
        Assert.That(error!.TimeoutType, Is.EqualTo(WorkflowExecutionTimeoutType.StartToClose));
        Assert.That(env.UtcNow - new WorkflowTestEnvironmentOptions().StartTime, Is.EqualTo(TimeSpan.FromMinutes(10)));
    }

    [Test]
    public async Task A_child_workflow_sleeps_in_virtual_time_too()
    {
        await using var env = Environment();
        var run = await new ScenarioClient(env.Client).StartAsync("parent", "child");

        Assert.That(await run.GetResultAsync(), Is.EqualTo("child slept 2 days"));
        var closed = new List<WorkflowExecutionInfo>();
        await foreach (var info in env.Client.ListClosedAsync(new WorkflowExecutionQuery { WorkflowId = "child-of-parent" }))
            closed.Add(info);
        Assert.That(closed.Select(c => c.CloseStatus), Is.EqualTo(new[] { CloseStatus.Completed }));
    }

    [Test]
    public async Task A_child_workflows_execution_timeout_fires_in_virtual_time()
    {
        await using var env = Environment();

        var run = await new ScenarioClient(env.Client).StartAsync("timeout-parent", "child-timeout");

        Assert.That(await run.GetResultAsync(), Is.EqualTo("child timed out after 10 min"));
        var closed = new List<WorkflowExecutionInfo>();
        await foreach (var info in env.Client.ListClosedAsync(new WorkflowExecutionQuery { WorkflowId = "waiter-of-timeout-parent" }))
            closed.Add(info);
        Assert.That(closed.Select(c => c.CloseStatus), Is.EqualTo(new[] { CloseStatus.TimedOut }));
    }

    [Test]
    public async Task Continue_as_new_runs_follow_each_other_in_virtual_time()
    {
        await using var env = Environment();
        var client = new CounterClient(env.Client);
        var run = await client.StartAsync("counter", 0);
        int runs = 1;
        int result;
        while (true)
        {
            try
            {
                result = await run.GetResultAsync();
                break;
            }
            catch (WorkflowContinuedAsNewException e)
            {
                run = client.GetRun(e.NewExecution.WorkflowId, e.NewExecution.RunId);
                runs++;
            }
        }

        Assert.That((result, runs), Is.EqualTo((3, 4)));
        Assert.That(env.UtcNow - new WorkflowTestEnvironmentOptions().StartTime, Is.EqualTo(TimeSpan.FromDays(3)));
    }

    [Test]
    public async Task A_cancel_request_cancels_a_sleeping_workflow()
    {
        await using var env = Environment();
        var run = await new ScenarioClient(env.Client).StartAsync("canceled", "cancel");
        await env.WaitIdleAsync();

        await run.RequestCancelAsync();

        Assert.ThrowsAsync<WorkflowCanceledException>(() => run.GetResultAsync());
        var history = await env.GetHistoryAsync(run.Execution);
        Assert.That(history.Select(e => e.EventType), Does.Contain(EventType.TimerCanceled));
    }

    [Test]
    public async Task A_decision_task_start_to_close_timeout_fires_in_virtual_time()
    {
        await using var env = new WorkflowTestEnvironment(new WorkflowTestEnvironmentOptions { DeadlockDetectionTimeout = TimeSpan.FromMilliseconds(100) });
        int instances = 0;
        env.AddWorkflow(StatefulDispatch.CreateHandler(() => new StatefulWorkflow(broken: Interlocked.Increment(ref instances) == 1)));

        var run = await new StatefulClient(env.Client).StartAsync("stateful", "second try");

        Assert.That(await run.GetResultAsync(), Is.EqualTo("second try at 00:00:10"));
        var history = await env.GetHistoryAsync(run.Execution);
        var timedOut = history.Single(e => e.EventType == EventType.DecisionTaskTimedOut);
        Assert.That(timedOut.DecisionTaskTimedOutEventAttributes!.TimeoutType, Is.EqualTo(DecisionTaskTimeoutType.StartToClose));
    }

    [Test]
    public async Task Code_that_leaves_its_scheduler_fails_only_the_decision_task_and_fixed_code_finishes_the_run()
    {
        await using var env = Environment();
        int instances = 0;
        // The cached instance and the full replay the worker tries at once are broken; the code "deployed" after that is fixed.
        env.AddWorkflow(StatefulDispatch.CreateHandler(() => new ConfigureAwaitWorkflow(broken: Interlocked.Increment(ref instances) <= 2)));

        var run = await new StatefulClient(env.Client).StartAsync("escaping", "fixed");

        // The broken decision got no answer: SWF timed it out (10 s), and the next one ran the fixed code.
        Assert.That(await run.GetResultAsync(), Is.EqualTo("fixed at 00:01:10"));
        var history = await env.GetHistoryAsync(run.Execution);
        Assert.That(history.Count(e => e.EventType == EventType.DecisionTaskTimedOut), Is.EqualTo(1));
        Assert.That(history.Select(e => e.EventType), Does.Not.Contain(EventType.WorkflowExecutionFailed));
    }
}
