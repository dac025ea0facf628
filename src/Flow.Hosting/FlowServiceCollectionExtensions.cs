using Flow;
using Flow.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class FlowServiceCollectionExtensions
{
    /// <summary>Adds Flow: a <see cref="WorkflowClient"/>, an <see cref="ActivityCompletionClient"/>, and a hosted service that
    /// runs a workflow worker and an activity worker for the workflows and activities added to the returned builder.</summary>
    public static FlowBuilder AddFlow(this IServiceCollection services, Action<FlowOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<FlowOptions>();
        if (configure is not null)
            services.Configure(configure);
        services.TryAddSingleton(sp => new WorkflowClient(Swf(sp), sp.GetRequiredService<IOptions<FlowOptions>>().Value.Domain));
        services.TryAddSingleton(sp => new ActivityCompletionClient(Swf(sp)));
        services.AddHostedService<FlowWorkersService>();
        return new FlowBuilder(services);
    }

    /// <summary>As <see cref="AddFlow(IServiceCollection, Action{FlowOptions}?)"/>, with options bound from the "Flow" section of <paramref name="configuration"/>.</summary>
    public static FlowBuilder AddFlow(this IServiceCollection services, IConfiguration configuration, Action<FlowOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.Configure<FlowOptions>(configuration.GetSection(FlowOptions.Section));
        return services.AddFlow(configure);
    }

    internal static ISwfClient Swf(IServiceProvider services) => services.GetService<ISwfClient>()
        ?? throw new InvalidOperationException("Flow needs an ISwfClient: call UseSwfClient(...) on the builder AddFlow returns.");
}
