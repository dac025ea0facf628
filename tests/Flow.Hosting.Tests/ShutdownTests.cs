using System.Diagnostics;
using Flow.Local;
using Flow.Swf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flow.Hosting.Tests;

/// <summary>The host's stop (what SIGTERM and Ctrl-C trigger through the console lifetime) with activities in flight.</summary>
[TestFixture]
public class ShutdownTests
{
    private static readonly ActivityDefinition Slow = new("Slow.Run", "1")
    {
        DefaultTaskList = "slow",
        DefaultScheduleToStartTimeout = "NONE",
        DefaultStartToCloseTimeout = "NONE",
        DefaultScheduleToCloseTimeout = "NONE",
        DefaultHeartbeatTimeout = "NONE",
    };
    private static readonly WorkflowDefinition Waiting = new("Waiting.Run", "1")
    {
        DefaultTaskList = "waiting",
        DefaultExecutionStartToCloseTimeout = "600",
        DefaultTaskStartToCloseTimeout = "30",
        DefaultChildPolicy = ChildPolicy.Terminate,
    };

    private sealed class WaitingWorkflow : IWorkflowInstance
    {
        public async Task<string?> ExecuteAsync(string? input) => await Workflow.ExecuteActivityAsync(Slow, input);
        public Task? HandleSignal(string signalName, string? input) => null;
        public string? GetState() => null;
    }

    private static IHost Build(LocalSwf engine, ActivityInvoker activity, string shutdownTimeout)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.AddFlow(o =>
            {
                o.Domain = "shutdown-tests";
                o.RegisterDomain = true;
                o.Activities.ShutdownTimeout = TimeSpan.Parse(shutdownTimeout, System.Globalization.CultureInfo.InvariantCulture);
            })
            .UseSwfClient(engine.Client)
            .AddWorkflow(new WorkflowHandler(Waiting, () => new WaitingWorkflow()))
            .AddActivities([new ActivityHandler(Slow, activity)]);
        return builder.Build();
    }

    private static async Task<HistoryEvent> LastActivityEvent(IHost host, WorkflowExecution run)
    {
        var history = await host.Services.GetRequiredService<WorkflowClient>().GetHistoryAsync(run);
        return history.Last(e => e.EventType.ToString().StartsWith("ActivityTask", StringComparison.Ordinal));
    }

    [Test]
    public async Task Stopping_the_host_lets_in_flight_activities_finish_and_report_their_results()
    {
        using var engine = new LocalSwf();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var host = Build(engine, async (input, _) =>
        {
            started.TrySetResult();
            await release.Task;
            return "done " + input;
        }, "00:00:20");
        await host.StartAsync();
        var run = await host.Services.GetRequiredService<WorkflowClient>().StartAsync(Waiting, "in-flight-1", "x");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var stopping = host.StopAsync();
        Assert.That(stopping.IsCompleted, Is.False, "the host waits for the activity");
        release.SetResult();
        await stopping.WaitAsync(TimeSpan.FromSeconds(20));

        var last = await LastActivityEvent(host, run);
        Assert.That(last.EventType, Is.EqualTo(EventType.ActivityTaskCompleted));
        Assert.That(last.ActivityTaskCompletedEventAttributes!.Result, Is.EqualTo("done x"));
    }

    [Test]
    public async Task Stopping_the_host_ends_within_the_shutdown_timeout_and_reports_cut_activities_failed()
    {
        using var engine = new LocalSwf();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var host = Build(engine, async (_, context) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return null;
        }, "00:00:00.300");
        await host.StartAsync();
        var run = await host.Services.GetRequiredService<WorkflowClient>().StartAsync(Waiting, "in-flight-2", "x");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var clock = Stopwatch.StartNew();
        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)));
        var last = await LastActivityEvent(host, run);
        Assert.That(last.EventType, Is.EqualTo(EventType.ActivityTaskFailed));
        Assert.That(last.ActivityTaskFailedEventAttributes!.Reason, Is.EqualTo("Flow.WorkerShutdown"));
    }
}
