using FileProcessing;
using Flow.Swf;
using NUnit.Framework;

namespace Flow.Testing.Tests;

/// <summary>The FileProcessing sample in the test environment, and its histories in the replayer.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class SampleTests
{
    private static readonly HttpClient Http = new();

    /// <summary>The sample's workflow with one edit: it processes before it downloads.</summary>
    internal sealed class ReorderedWorkflow : IFileProcessing
    {
        public Progress Status { get; } = new(Stage.Starting, 0, null);

        public async Task<Report> RunAsync(Job job)
        {
            var activities = new FileActivitiesClient();
            using var deadline = new CancellationTokenSource();
            _ = Workflow.DelayAsync(TimeSpan.FromSeconds(job.TimeoutSeconds), deadline.Token);
            var processed = await activities.ProcessAsync(job.Source, job.WorkFolder);
            await activities.DownloadAsync(job.Source, job.WorkFolder);
            var uploaded = await activities.UploadAsync(processed, job.Bucket);
            await activities.DeleteAsync(job.WorkFolder);
            deadline.Cancel();
            return new Report(job.Source, processed.Sha256, processed.Bytes, processed.CompressedBytes, processed.Lines, processed.Words,
                uploaded.CompressedLocation, uploaded.ReportLocation);
        }

        public Task CancelAsync(string reason) => Task.CompletedTask;
    }

    private static Job NewJob()
    {
        var root = Path.Combine(Path.GetTempPath(), "flow-testing-" + Guid.NewGuid().ToString("N"));
        return new Job(Path.Combine(Flow.Tests.TestRepository.Root, "samples", "FileProcessing", "input", "durable-workflows.txt"),
            Path.Combine(root, "bucket"), Path.Combine(root, "work"));
    }

    private static async Task<(string HistoryJson, WorkflowExecution Execution, Report Report)> RunSampleAsync(Func<IFileProcessing> workflow,
        WorkflowTestEnvironmentOptions? options = null)
    {
        var env = new WorkflowTestEnvironment(options);
        env.AddWorkflow(FileProcessingDispatch.CreateHandler(workflow));
        env.AddActivities(FileActivitiesDispatch.CreateHandlers(() => new FileActivities(Http)));
        var job = NewJob();
        try
        {
            var run = await new FileProcessingClient(env.Client).StartAsync("file-" + Guid.NewGuid().ToString("N"), job);
            var report = await run.GetResultAsync();
            return (await env.Client.GetHistoryJsonAsync(run.Execution), run.Execution, report);
        }
        finally
        {
            await env.DisposeAsync();
            Directory.Delete(Path.GetDirectoryName(job.WorkFolder)!, recursive: true);
        }
    }

    [Test]
    public async Task The_sample_runs_in_the_environment_and_its_history_replays()
    {
        var (json, execution, report) = await RunSampleAsync(() => new FileProcessingWorkflow());

        Assert.That(report.Lines, Is.GreaterThan(0));
        var result = new WorkflowReplayer(FileProcessingDispatch.CreateHandler(() => new FileProcessingWorkflow())).ReplayJson(json, execution);
        Assert.That(result.Succeeded, result.Describe());
        Assert.That(result.EventCount, Is.GreaterThan(20));
    }

    [Test]
    public async Task The_replayer_catches_a_workflow_that_now_schedules_its_activities_in_another_order()
    {
        var (json, execution, _) = await RunSampleAsync(() => new FileProcessingWorkflow());

        var result = new WorkflowReplayer(FileProcessingDispatch.CreateHandler(() => new ReorderedWorkflow())).ReplayJson(json, execution);

        Assert.That(result.Divergence, Is.Not.Null, result.Describe());
        Assert.That(result.Divergence!.History, Does.Contain("ActivityTaskScheduled: activity 1 (FileActivities.Download 1.0)"));
        Assert.That(result.Divergence.Code, Does.Contain("FileActivities.Process"));
        var scheduled = WorkflowReplayer.ParseHistory(json).Events.First(e => e.EventType == EventType.ActivityTaskScheduled);
        Assert.That(result.Divergence.EventId, Is.EqualTo(scheduled.EventId));
    }

    [Test]
    public void The_end_of_environment_replay_fails_the_test_whose_workflow_is_not_deterministic()
    {
        // The first instance (the one the worker keeps in its decision cache) runs the sample; any later one, such
        // as the fresh instance of the end-of-environment replay, runs the edited order.
        int instances = 0;
        IFileProcessing Create() => Interlocked.Increment(ref instances) == 1 ? new FileProcessingWorkflow() : new ReorderedWorkflow();

        var error = Assert.ThrowsAsync<WorkflowReplayException>(() => RunSampleAsync(Create));

        Assert.That(error!.Failures, Has.Count.EqualTo(1));
        Assert.That(error.Failures[0].Divergence!.Code, Does.Contain("FileActivities.Process"));
        Assert.That(error.Message, Does.Contain("FileActivities.Download"));
    }

    [Test]
    public void The_end_of_environment_replay_can_be_turned_off()
    {
        int instances = 0;
        IFileProcessing Create() => Interlocked.Increment(ref instances) == 1 ? new FileProcessingWorkflow() : new ReorderedWorkflow();

        Assert.DoesNotThrowAsync(() => RunSampleAsync(Create, new WorkflowTestEnvironmentOptions { ReplayOnDispose = false }));
    }
}
