using Flow;
using Flow.Swf;

namespace FileProcessing;

/// <summary>The sample's activity worker and decider, as any host starts them. The sample program and
/// FileProcessing.Worker (the Native AOT worker) both compile this file.</summary>
public static class FileProcessingWorkers
{
    /// <summary>The SWF domain the samples run in.</summary>
    public const string Domain = "flow-samples";

    public static (ActivityWorker Activities, WorkflowWorker Decider) Create(ISwfClient swf, HttpClient http, string domain = Domain)
    {
        var activities = new ActivityWorker(swf, new ActivityWorkerOptions { Domain = domain, Pollers = 2 },
            FileActivitiesDispatch.CreateHandlers(() => new FileActivities(http)));
        var decider = new WorkflowWorker(swf, new WorkflowWorkerOptions { Domain = domain, Pollers = 1 },
            [FileProcessingDispatch.CreateHandler(() => new FileProcessingWorkflow())]);
        return (activities, decider);
    }
}
