using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Flow.Hosting;

/// <summary>Adds the SWF client, workflows and activities of a Flow host. Returned by <c>services.AddFlow(...)</c>.</summary>
public sealed class FlowBuilder
{
    internal FlowBuilder(IServiceCollection services) => Services = services;

    public IServiceCollection Services { get; }

    /// <summary>The SWF endpoint: the wire client for Amazon SWF or <c>flow dev</c>, or the in-process local engine.</summary>
    public FlowBuilder UseSwfClient(Func<IServiceProvider, ISwfClient> factory)
    {
        Services.Replace(ServiceDescriptor.Singleton(factory));
        return this;
    }

    public FlowBuilder UseSwfClient(ISwfClient client)
    {
        Services.Replace(ServiceDescriptor.Singleton(client));
        return this;
    }

    public FlowBuilder AddWorkflow(WorkflowHandler workflow)
    {
        Services.AddSingleton(new FlowRegistrationEntry(workflow, null));
        return this;
    }

    public FlowBuilder AddWorkflows(IEnumerable<WorkflowHandler> workflows)
    {
        foreach (var workflow in workflows)
            AddWorkflow(workflow);
        return this;
    }

    /// <summary>Activities whose handlers need no services (or find them themselves).</summary>
    public FlowBuilder AddActivities(IEnumerable<ActivityHandler> activities)
    {
        foreach (var activity in activities)
            Services.AddSingleton(new FlowRegistrationEntry(null, activity));
        return this;
    }

    /// <summary>
    /// Activities implemented by <typeparamref name="TImplementation"/>, created by dependency injection for each task in
    /// the task's own scope. <paramref name="dispatch"/> is the contract's dispatch table (generated), given a way to get
    /// the implementation for a task.
    /// </summary>
    public FlowBuilder AddActivities<[System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(
        System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>(
        Func<Func<ActivityExecutionContext, TImplementation>, IEnumerable<ActivityHandler>> dispatch)
        where TImplementation : class
    {
        Services.TryAddScoped<TImplementation>();
        return AddActivities(dispatch(static context => (context.Services
            ?? throw new InvalidOperationException("This activity needs the host's services; run it on a worker that AddFlow created."))
            .GetRequiredService<TImplementation>()));
    }
}

/// <summary>One workflow or activity handler registered with the container.</summary>
internal sealed record FlowRegistrationEntry(WorkflowHandler? Workflow, ActivityHandler? Activity);
