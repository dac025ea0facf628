using Flow.Swf;
using Microsoft.Extensions.Hosting;

namespace Flow.Hosting.TestWorker;

/// <summary>The types the test worker runs; the tests start runs of <see cref="Run"/>.</summary>
public static class HoldTypes
{
    public const string Activities = "hold-activities";

    public static readonly WorkflowDefinition Run = new("Hold.Run", "1")
    {
        DefaultTaskList = "hold-decisions",
        DefaultExecutionStartToCloseTimeout = "600",
        DefaultTaskStartToCloseTimeout = "30",
        DefaultChildPolicy = ChildPolicy.Terminate,
    };

    /// <summary>Runs until the host starts stopping, then finishes its work and returns.</summary>
    public static readonly ActivityDefinition UntilStopping = Activity("Hold.UntilStopping");

    /// <summary>Runs until its cancellation token fires.</summary>
    public static readonly ActivityDefinition UntilCanceled = Activity("Hold.UntilCanceled");

    private static ActivityDefinition Activity(string name) => new(name, "1")
    {
        DefaultTaskList = Activities,
        DefaultScheduleToStartTimeout = "NONE",
        DefaultStartToCloseTimeout = "NONE",
        DefaultScheduleToCloseTimeout = "NONE",
        DefaultHeartbeatTimeout = "NONE",
    };
}

/// <summary>Input "cancel…" runs <see cref="HoldTypes.UntilCanceled"/>, anything else <see cref="HoldTypes.UntilStopping"/>.</summary>
internal sealed class HoldWorkflow : IWorkflowInstance
{
    public async Task<string?> ExecuteAsync(string? input) =>
        await Workflow.ExecuteActivityAsync(input?.StartsWith("cancel", StringComparison.Ordinal) == true ? HoldTypes.UntilCanceled : HoldTypes.UntilStopping, input);

    public Task? HandleSignal(string signalName, string? input) => null;
    public string? GetState() => null;
}

/// <summary>Created by dependency injection for each task; sees the host stopping through its lifetime.</summary>
internal sealed class HoldActivities(IHostApplicationLifetime lifetime)
{
    public static IEnumerable<ActivityHandler> Dispatch(Func<ActivityExecutionContext, HoldActivities> implementation) =>
    [
        new(HoldTypes.UntilStopping, (input, context) => implementation(context).UntilStoppingAsync(input, context)),
        new(HoldTypes.UntilCanceled, (input, context) => implementation(context).UntilCanceledAsync(input, context)),
    ];

    public async Task<string?> UntilStoppingAsync(string? input, ActivityExecutionContext context)
    {
        Console.WriteLine($"activity started {context.WorkflowExecution.WorkflowId}");
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStopping.Register(() => stopping.TrySetResult()))
            await stopping.Task;
        Console.WriteLine($"stopping seen by {context.WorkflowExecution.WorkflowId}");
        // The rest of the work, done after the stop began: the worker must wait for it.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        return "finished " + input;
    }

    public async Task<string?> UntilCanceledAsync(string? input, ActivityExecutionContext context)
    {
        Console.WriteLine($"activity started {context.WorkflowExecution.WorkflowId}");
        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        finally
        {
            Console.WriteLine($"canceled {context.WorkflowExecution.WorkflowId}");
        }
        return input;
    }
}
