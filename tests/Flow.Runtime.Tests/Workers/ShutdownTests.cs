using System.Diagnostics;
using Flow.Swf;

namespace Flow.Runtime.Tests.Workers;

[TestFixture]
public class ShutdownTests
{
    [Test]
    public async Task Stopping_lets_an_in_flight_activity_finish_and_report_its_result()
    {
        await using var h = new Harness();
        var work = Harness.Activity("Work");
        var definition = Harness.Workflow("Finishing");
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, _) => await Workflow.ExecuteActivityAsync(work, null))]);
        var activities = await h.StartActivityWorker([new(work, async (_, _) =>
        {
            started.TrySetResult();
            await release.Task;
            return "finished";
        })], o => o with { ShutdownTimeout = TimeSpan.FromSeconds(20) });

        var run = await h.Client.StartAsync(definition, "finishing-1", null);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var stopping = activities.StopAsync();
        Assert.That(stopping.IsCompleted, Is.False, "stop waits for the activity");
        release.SetResult();
        await stopping.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(await h.Result(run), Is.EqualTo("finished"));
    }

    [Test]
    public async Task After_the_timeout_stopping_cancels_in_flight_activities_and_reports_them_failed()
    {
        await using var h = new Harness();
        var work = Harness.Activity("Endless");
        var definition = Harness.Workflow("Abandoned");
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, _) =>
        {
            try
            {
                return await Workflow.ExecuteActivityAsync(work, null);
            }
            catch (ActivityFailedException ex)
            {
                return ex.Reason;
            }
        })]);
        var activities = await h.StartActivityWorker([new(work, async (_, context) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return "never";
        })], o => o with { ShutdownTimeout = TimeSpan.FromMilliseconds(100) });

        var run = await h.Client.StartAsync(definition, "abandoned-1", null);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var clock = Stopwatch.StartNew();
        await activities.StopAsync().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(await h.Result(run), Is.EqualTo("Flow.WorkerShutdown"));
    }

    [Test]
    public async Task An_activity_that_ignores_its_token_is_reported_failed_after_the_grace_period()
    {
        await using var h = new Harness();
        var work = Harness.Activity("Stubborn");
        var definition = Harness.Workflow("Stubborn");
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource<string?>();
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, _) =>
        {
            try
            {
                return await Workflow.ExecuteActivityAsync(work, null);
            }
            catch (ActivityFailedException ex)
            {
                return ex.Reason;
            }
        })]);
        var activities = await h.StartActivityWorker([new(work, (_, _) =>
        {
            started.TrySetResult();
            return never.Task;
        })], o => o with { ShutdownTimeout = TimeSpan.FromMilliseconds(50), ShutdownCancelGrace = TimeSpan.FromMilliseconds(50) });

        var run = await h.Client.StartAsync(definition, "stubborn-1", null);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await activities.StopAsync().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(await h.Result(run), Is.EqualTo("Flow.WorkerShutdown"));
    }

    [Test]
    public async Task A_stopped_worker_takes_no_more_tasks()
    {
        await using var h = new Harness();
        var work = Harness.Activity("Later");
        var activities = await h.StartActivityWorker([new(work, (_, _) => Task.FromResult<string?>("done"))]);
        await activities.StopAsync().WaitAsync(TimeSpan.FromSeconds(20));
        var definition = Harness.Workflow("Later");
        await h.StartWorkflowWorker([Harness.Handler(definition, async (_, _) => await Workflow.ExecuteActivityAsync(work, null))]);

        var run = await h.Client.StartAsync(definition, "later-1", null);
        await h.WhenEvent(run, EventType.ActivityTaskScheduled);

        var pending = await h.Swf.CountPendingActivityTasksAsync(new CountPendingActivityTasksInput
        {
            Domain = Harness.Domain, TaskList = new TaskList { Name = Harness.Activities },
        });
        Assert.That(pending.Count, Is.EqualTo(1));
        Assert.That(activities.InFlight, Is.Zero);
    }

    [Test]
    public async Task Run_async_stops_gracefully_when_its_token_fires()
    {
        await using var h = new Harness();
        var worker = new WorkflowWorker(h.Swf, new WorkflowWorkerOptions { Domain = Harness.Domain },
            [Harness.Handler(Harness.Workflow("Idle"), (_, _) => Task.FromResult<string?>(null))]);
        using var cts = new CancellationTokenSource();
        var polling = h.Probe.WhenCalled("RegisterWorkflowType");
        var running = worker.RunAsync(cts.Token);
        await polling.WaitAsync(TimeSpan.FromSeconds(20));

        cts.Cancel();

        await running.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(worker.InFlight, Is.Zero);
    }
}
