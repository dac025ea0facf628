using Flow.Runtime.Tests.Swf.Support;
using Flow.Swf;

namespace Flow.Runtime.Tests.Workers;

/// <summary>
/// Workers and client over HTTP with the wire client against moto_server, an SWF emulator others wrote: the same
/// code that runs on the local engine runs on a service we did not write (moto answers an empty poll after 1 s
/// instead of holding it, so these take a few seconds).
/// </summary>
[TestFixture]
[NonParallelizable]
public class MotoWorkerTests
{
    private MotoServer _moto = null!;
    private SwfClient _swf = null!;

    [OneTimeSetUp]
    public async Task StartMoto()
    {
        _moto = await MotoServer.StartAsync(TimeSpan.FromSeconds(60));
        _swf = new SwfClient(TestClients.Options(_moto.Url));
    }

    [OneTimeTearDown]
    public void StopMoto()
    {
        _swf?.Dispose();
        _moto?.Dispose();
    }

    [Test]
    public async Task A_workflow_with_activities_a_failure_and_a_signal_runs_to_completion_over_http()
    {
        string domain = "moto-workers";
        var greet = Harness.Activity("Greet") with { DefaultScheduleToStartTimeout = "300", DefaultStartToCloseTimeout = "300", DefaultScheduleToCloseTimeout = "600" };
        var broken = Harness.Activity("Broken") with { DefaultScheduleToStartTimeout = "300", DefaultStartToCloseTimeout = "300", DefaultScheduleToCloseTimeout = "600" };
        var definition = Harness.Workflow("MotoGreeting");
        var workflows = new WorkflowWorker(_swf, new WorkflowWorkerOptions { Domain = domain, RegisterDomain = true, Pollers = 1 },
            [Harness.Handler(definition, async (self, input) =>
            {
                string? suffix = null;
                self.Signals["Suffix"] = s => suffix = s;
                var greeting = await Workflow.ExecuteActivityAsync(greet, input);
                string failure;
                try
                {
                    await Workflow.ExecuteActivityAsync(broken, null);
                    failure = "none";
                }
                catch (ActivityFailedException ex)
                {
                    failure = ex.ErrorMessage ?? "?";
                }
                await Workflow.WaitConditionAsync(() => suffix is not null);
                return $"{greeting}{suffix} ({failure})";
            })]);
        var activities = new ActivityWorker(_swf, new ActivityWorkerOptions { Domain = domain, RegisterDomain = true, Pollers = 1 },
        [
            new(greet, (input, _) => Task.FromResult<string?>("Hello " + input)),
            new(broken, (_, _) => throw new TimeoutException("upstream slow")),
        ]);
        await workflows.StartAsync();
        await activities.StartAsync();
        try
        {
            var client = new WorkflowClient(_swf, domain) { ResultPollMaxInterval = TimeSpan.FromMilliseconds(200) };
            var run = await client.StartAsync(definition, "moto-1", "moto");
            await client.SignalAsync(run, "Suffix", "!");

            Assert.That(await client.GetResultAsync(run).WaitAsync(TimeSpan.FromSeconds(60)), Is.EqualTo("Hello moto! (upstream slow)"));
            var history = await client.GetHistoryAsync(run);
            Assert.That(history.Single(e => e.EventType == EventType.ActivityTaskFailed).ActivityTaskFailedEventAttributes!.Reason,
                Is.EqualTo("System.TimeoutException"));
        }
        finally
        {
            await Task.WhenAll(workflows.StopAsync(), activities.StopAsync());
        }
    }

    [Test]
    public async Task A_durable_timer_fires_and_a_waiting_run_is_terminated_over_http()
    {
        string domain = "moto-timers";
        var sleeper = Harness.Workflow("MotoSleeper");
        var workflows = new WorkflowWorker(_swf, new WorkflowWorkerOptions { Domain = domain, RegisterDomain = true, Pollers = 1 },
            [Harness.Handler(sleeper, async (_, input) =>
            {
                await Workflow.DelayAsync(TimeSpan.FromSeconds(1));
                if (input == "wait")
                    await Workflow.DelayAsync(TimeSpan.FromDays(1));
                return "woke";
            })]);
        await workflows.StartAsync();
        try
        {
            var client = new WorkflowClient(_swf, domain) { ResultPollMaxInterval = TimeSpan.FromMilliseconds(200) };
            var quick = await client.StartAsync(sleeper, "moto-sleeper-1", "once");
            Assert.That(await client.GetResultAsync(quick).WaitAsync(TimeSpan.FromSeconds(60)), Is.EqualTo("woke"));
            Assert.That((await client.GetHistoryAsync(quick)).Select(e => e.EventType), Does.Contain(EventType.TimerFired));

            var waiting = await client.StartAsync(sleeper, "moto-sleeper-2", "wait");
            while ((await client.GetHistoryAsync(waiting)).Count(e => e.EventType == EventType.TimerStarted) < 2)
                await Task.Delay(100);
            // moto has no RequestCancelWorkflowExecution (HTTP 500); terminating works on both.
            await client.TerminateAsync(waiting, "enough");
            var ex = Assert.ThrowsAsync<WorkflowTerminatedException>(() => client.GetResultAsync(waiting).WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.That(ex!.Reason, Is.EqualTo("enough"));
        }
        finally
        {
            await workflows.StopAsync();
        }
    }
}
