using System.Diagnostics;
using System.Globalization;
using Flow.Hosting.Tests.Support;
using Flow.Hosting.TestWorker;
using Flow.Swf;

namespace Flow.Hosting.Tests.Http;

/// <summary>
/// A real worker process (Flow.Hosting.TestWorker: the generic host with AddFlow, talking to flow dev over HTTP) gets
/// SIGTERM while its activities run: those that finish within the shutdown timeout report their results, the one that
/// does not is cancelled through its token and reported failed, and the process exits 0 within the timeout.
/// </summary>
[TestFixture]
public class SigtermTests
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(3);

    [Test]
    public async Task On_SIGTERM_in_flight_activities_finish_and_are_reported_and_the_process_exits_within_the_timeout()
    {
        string domain = "sigterm-" + Guid.NewGuid().ToString("N")[..8];
        using var worker = ChildProcess.StartDll("Flow.Hosting.TestWorker",
            ["--endpoint", FlowDev.Url.ToString(), "--domain", domain, "--shutdown-timeout", ShutdownTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)]);
        await worker.WaitForLinesAsync(l => l == "ready", 1, TimeSpan.FromSeconds(60), "the worker to start");

        var client = new WorkflowClient(FlowDev.Direct, domain);
        var finishing = new List<WorkflowExecution>();
        for (int i = 0; i < 3; i++)
            finishing.Add(await client.StartAsync(HoldTypes.Run, $"finishing-{i}", $"finishing-{i}"));
        var cut = await client.StartAsync(HoldTypes.Run, "cancel-0", "cancel-0");
        await worker.WaitForLinesAsync(l => l.StartsWith("activity started ", StringComparison.Ordinal), 4, TimeSpan.FromSeconds(30),
            "all four activities to start");
        Assert.That(worker.Lines(l => l.StartsWith("stopping seen", StringComparison.Ordinal)), Is.Empty, "nothing has stopped yet");

        var clock = Stopwatch.StartNew();
        worker.Signal("TERM");
        int exit = await worker.WaitForExitAsync(ShutdownTimeout + TimeSpan.FromSeconds(15));
        var elapsed = clock.Elapsed;

        Assert.That(exit, Is.EqualTo(0), $"a clean exit; output:\n{worker.Output}");
        Assert.That(elapsed, Is.LessThan(ShutdownTimeout + TimeSpan.FromSeconds(10)), "the process ends soon after the workers' shutdown timeout, long before the host's own (33 s)");
        Assert.That(elapsed, Is.GreaterThanOrEqualTo(ShutdownTimeout - TimeSpan.FromMilliseconds(100)),
            "the activity that would not finish was left running until the shutdown timeout");
        Assert.That(worker.Lines(l => l.StartsWith("stopping seen by ", StringComparison.Ordinal)), Has.Count.EqualTo(3),
            "the three activities were still running when the stop began");
        Assert.That(worker.Lines(l => l == "canceled cancel-0"), Has.Count.EqualTo(1), "the cut activity saw its token fire");

        string identity = $"{Environment.MachineName}:{worker.Id}";
        foreach (var run in finishing)
        {
            var history = await client.GetHistoryAsync(run);
            var completed = history.Single(e => e.EventType == EventType.ActivityTaskCompleted);
            Assert.That(completed.ActivityTaskCompletedEventAttributes!.Result, Is.EqualTo("finished " + run.WorkflowId));
            Assert.That(history.Single(e => e.EventType == EventType.ActivityTaskStarted).ActivityTaskStartedEventAttributes!.Identity,
                Is.EqualTo(identity), "workers identify as host:pid");
        }
        var failed = (await client.GetHistoryAsync(cut)).Single(e => e.EventType == EventType.ActivityTaskFailed).ActivityTaskFailedEventAttributes!;
        Assert.That(failed.Reason, Is.EqualTo("Flow.WorkerShutdown"));
        Assert.That(failed.Details, Does.Contain("shut down before the activity finished"));
    }
}
