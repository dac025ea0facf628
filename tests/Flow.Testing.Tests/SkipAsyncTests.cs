using Flow;
using Flow.Swf;
using NUnit.Framework;

namespace Flow.Testing.Tests;

/// <summary>SkipAsync moves time as if that much time passed with the workers doing their work.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class SkipAsyncTests
{
    private static WorkflowTestEnvironment Environment(WorkflowTestEnvironmentOptions? options = null)
    {
        var env = new WorkflowTestEnvironment(options);
        env.AddWorkflow(FollowUpDispatch.CreateHandler(() => new FollowUpWorkflow()));
        env.AddWorkflow(ScenarioDispatch.CreateHandler(() => new ScenarioWorkflow()));
        env.AddActivities(TestActivitiesDispatch.CreateHandlers(() => new QuickActivities()));
        return env;
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Skipping_ten_minutes_right_after_the_start_lets_the_quick_activity_finish_and_the_five_minute_timer_fire(bool activitiesHoldTime)
    {
        await using var env = Environment(new WorkflowTestEnvironmentOptions { ActivitiesHoldTime = activitiesHoldTime });
        var start = env.UtcNow;
        var run = await new FollowUpClient(env.Client).StartAsync("follow-up-ada", "Ada");

        await env.SkipAsync(TimeSpan.FromMinutes(10));

        Assert.That(env.UtcNow - start, Is.EqualTo(TimeSpan.FromMinutes(10)));
        var history = await env.GetHistoryAsync(run.Execution);
        var types = history.Select(e => e.EventType).ToList();
        Assert.That(types, Does.Contain(EventType.ActivityTaskCompleted).And.Not.Contain(EventType.ActivityTaskTimedOut), string.Join(", ", types));
        var fired = history.Single(e => e.EventType == EventType.TimerFired);
        Assert.That(fired.EventTimestamp - start, Is.EqualTo(TimeSpan.FromMinutes(5)));
        // The workers settled after the timer: its decision task ran, and the run now waits for the signal.
        Assert.That(types[^1], Is.EqualTo(EventType.DecisionTaskCompleted));

        await run.ConfirmAsync("Bob");
        Assert.That(await run.GetResultAsync(), Is.EqualTo("mail to Ada, confirmed by Bob at +10 min"));
    }

    [Test]
    public async Task A_skip_that_lands_between_two_timers_fires_the_first_only_and_the_next_skip_fires_the_second_on_time()
    {
        await using var env = Environment();
        var start = env.UtcNow;
        var run = await new ScenarioClient(env.Client).StartAsync("two-timers", "two-timers");

        await env.SkipAsync(TimeSpan.FromMinutes(10));

        var history = await env.GetHistoryAsync(run.Execution);
        Assert.That(history.Where(e => e.EventType == EventType.TimerFired).Select(e => e.EventTimestamp - start),
            Is.EqualTo(new[] { TimeSpan.FromMinutes(5) }));
        var second = history.Where(e => e.EventType == EventType.TimerStarted).Select(e => e.TimerStartedEventAttributes!).ToList();
        Assert.That(second.Select(t => t.StartToFireTimeout), Is.EqualTo(new[] { "300", "600" }));
        Assert.That(env.UtcNow - start, Is.EqualTo(TimeSpan.FromMinutes(10)));

        await env.SkipAsync(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        history = await env.GetHistoryAsync(run.Execution);
        Assert.That(history.Count(e => e.EventType == EventType.TimerFired), Is.EqualTo(1), "the second timer fired early");

        await env.SkipAsync(TimeSpan.FromSeconds(1));
        history = await env.GetHistoryAsync(run.Execution);
        Assert.That(history.Where(e => e.EventType == EventType.TimerFired).Select(e => e.EventTimestamp - start),
            Is.EqualTo(new[] { TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15) }));
        Assert.That(history[^1].EventType, Is.EqualTo(EventType.WorkflowExecutionCompleted));
        Assert.That(await run.GetResultAsync(), Is.EqualTo("both timers fired after 15 min"));
    }

    [Test]
    public async Task A_skip_waits_for_an_activity_that_takes_real_time_and_its_timeout_does_not_fire_under_it()
    {
        await using var env = Environment();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        env.AddActivity(TestActivitiesDispatch.Slow, (_, _) =>
        {
            started.TrySetResult();
            return release.Task;
        });
        var run = await new ScenarioClient(env.Client).StartAsync("slow", "start-to-close");
        await started.Task;
        var before = env.UtcNow;

        var skip = env.SkipAsync(TimeSpan.FromMinutes(10));
        await Task.WhenAny(env.HeldByActivity, skip);
        Assert.That((skip.IsCompleted, env.UtcNow), Is.EqualTo((false, before)), "time moved under a running activity");
        release.SetResult("\"done\"");
        await skip;

        Assert.That(env.UtcNow - before, Is.EqualTo(TimeSpan.FromMinutes(10)));
        Assert.That(await run.GetResultAsync(), Is.EqualTo("finished"));
        var history = await env.GetHistoryAsync(run.Execution);
        var completed = history.Single(e => e.EventType == EventType.ActivityTaskCompleted);
        Assert.That(completed.EventTimestamp, Is.EqualTo(before), "the activity's work took no virtual time");
        Assert.That(history.Select(e => e.EventType), Does.Not.Contain(EventType.ActivityTaskTimedOut));
    }

    [Test]
    public async Task With_ActivitiesHoldTime_false_a_skip_past_start_to_close_times_out_an_activity_that_never_returns_as_SWF_would()
    {
        await using var env = Environment(new WorkflowTestEnvironmentOptions { ActivitiesHoldTime = false });
        env.AddActivity(TestActivitiesDispatch.Slow, async (_, context) =>
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return null;
        });
        var start = env.UtcNow;
        var run = await new ScenarioClient(env.Client).StartAsync("never-returns", "start-to-close");

        await env.SkipAsync(TimeSpan.FromMinutes(10));

        Assert.That(env.UtcNow - start, Is.EqualTo(TimeSpan.FromMinutes(10)));
        var history = await env.GetHistoryAsync(run.Execution);
        var activityStarted = history.Single(e => e.EventType == EventType.ActivityTaskStarted);
        var timedOut = history.Single(e => e.EventType == EventType.ActivityTaskTimedOut);
        Assert.That(timedOut.ActivityTaskTimedOutEventAttributes!.TimeoutType, Is.EqualTo(ActivityTaskTimeoutType.StartToClose));
        Assert.That(timedOut.EventTimestamp - activityStarted.EventTimestamp, Is.EqualTo(TimeSpan.FromMinutes(1)));
        Assert.That(history[^1].EventType, Is.EqualTo(EventType.WorkflowExecutionCompleted));
        Assert.That(await run.GetResultAsync(), Is.EqualTo("timed out StartToClose after 60 s"));
    }

    [Test]
    public async Task A_skip_over_an_activity_that_never_returns_fails_after_the_idle_timeout_naming_it_and_leaves_time_alone()
    {
        await using var env = Environment(new WorkflowTestEnvironmentOptions { IdleTimeout = TimeSpan.FromMilliseconds(300) });
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        env.AddActivity(TestActivitiesDispatch.Slow, async (_, context) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return null;
        });
        var run = await new ScenarioClient(env.Client).StartAsync("hung", "start-to-close");
        await started.Task;
        var before = env.UtcNow;

        var error = Assert.ThrowsAsync<VirtualTimeHeldException>(() => env.SkipAsync(TimeSpan.FromMinutes(10)));
        TestContext.Out.WriteLine(error!.Message);

        Assert.That(error!.Holders, Has.Count.EqualTo(1));
        Assert.That(error.Holders[0], Does.StartWith($"activity TestActivities.Slow 1 (activity id 1) of workflow hung (run {run.Execution.RunId}) has been running"));
        Assert.That(error.Message, Does.Contain("SkipAsync(00:10:00)").And.Contain("ActivitiesHoldTime = false"));
        Assert.That(env.UtcNow, Is.EqualTo(before));
        var history = await env.GetHistoryAsync(run.Execution);
        Assert.That(history[^1].EventType, Is.EqualTo(EventType.ActivityTaskStarted));
    }

    [Test]
    public async Task Waiting_for_a_result_while_an_activity_never_returns_fails_after_the_idle_timeout_instead_of_hanging()
    {
        await using var env = Environment(new WorkflowTestEnvironmentOptions { IdleTimeout = TimeSpan.FromMilliseconds(300) });
        env.AddActivity(TestActivitiesDispatch.Slow, async (_, context) =>
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return null;
        });
        var run = await new ScenarioClient(env.Client).StartAsync("hung-wait", "start-to-close");

        var error = Assert.ThrowsAsync<VirtualTimeHeldException>(() => run.GetResultAsync());
        TestContext.Out.WriteLine(error!.Message);

        Assert.That(error!.Holders.Single(), Does.StartWith("activity TestActivities.Slow 1 (activity id 1) of workflow hung-wait"));
        Assert.That(error.Message, Does.StartWith("A test waits for a result at 2030-01-01T00:00:00.0000000+00:00"));
    }
}
