using Flow;
using Flow.Swf;

namespace FileProcessing;

/// <summary>The sample's activity worker and decider, as any host starts them. The sample program and
/// FileProcessing.Worker (the Native AOT worker) both compile this file.</summary>
public static class FileProcessingWorkers
{
    /// <summary>The SWF domain the samples run in.</summary>
    public const string Domain = "flow-samples";

    /// <param name="s3">Uploads to s3:// buckets (the caller owns it); without it, such uploads fail.</param>
    /// <param name="shutdownTimeout">How long StopAsync lets running activities finish before it cancels them.</param>
    public static (ActivityWorker Activities, WorkflowWorker Decider) Create(ISwfClient swf, HttpClient http, S3Uploads? s3 = null,
        string domain = Domain, TimeSpan? shutdownTimeout = null)
    {
        var activityOptions = new ActivityWorkerOptions { Domain = domain, Pollers = 2 };
        if (shutdownTimeout is { } timeout)
            activityOptions = activityOptions with { ShutdownTimeout = timeout };
        var activities = new ActivityWorker(swf, activityOptions,
            FileActivitiesDispatch.CreateHandlers(() => new FileActivities(http, s3)));
        var decider = new WorkflowWorker(swf, new WorkflowWorkerOptions { Domain = domain, Pollers = 1 },
            [FileProcessingDispatch.CreateHandler(() => new FileProcessingWorkflow())]);
        return (activities, decider);
    }
}
