using Microsoft.Extensions.DependencyInjection;
using Flow.Swf;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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

    /// <summary>
    /// The wire client, set up from the <c>Flow:Swf</c> settings (region, endpoint, attempts); <paramref name="configure"/>
    /// may adjust the options further, for example to give explicit credentials. The container disposes the client.
    /// </summary>
    public FlowBuilder UseSwf(Func<SwfClientOptions, SwfClientOptions>? configure = null) => UseSwfClient(services =>
    {
        var settings = services.GetRequiredService<IOptions<FlowOptions>>().Value.Swf;
        var defaults = new SwfClientOptions();
        Uri? serviceUrl = null;
        if (!string.IsNullOrEmpty(settings.ServiceUrl) && !Uri.TryCreate(settings.ServiceUrl, UriKind.Absolute, out serviceUrl))
            throw new InvalidOperationException($"Flow:Swf:ServiceUrl is '{settings.ServiceUrl}', which is not an absolute URL.");
        var options = defaults with
        {
            Region = string.IsNullOrEmpty(settings.Region) ? null : settings.Region,
            ServiceUrl = serviceUrl,
            MaxAttempts = settings.MaxAttempts ?? defaults.MaxAttempts,
        };
        return new SwfClient(configure?.Invoke(options) ?? options);
    });

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
