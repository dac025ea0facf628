using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flow.Hosting;

/// <summary>Runs the host's workers: registers types, polls while the host runs, and stops them gracefully with it.</summary>
internal sealed partial class FlowWorkersService(IServiceProvider services, IOptions<FlowOptions> options, ILoggerFactory loggerFactory)
    : IHostedService, IAsyncDisposable
{
    private readonly ILogger _log = loggerFactory.CreateLogger<FlowWorkersService>();
    private WorkflowWorker? _workflows;
    private ActivityWorker? _activities;

    internal WorkflowWorker? WorkflowWorker => _workflows;
    internal ActivityWorker? ActivityWorker => _activities;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var swf = FlowServiceCollectionExtensions.Swf(services);
        var entries = services.GetServices<FlowRegistrationEntry>().ToList();
        var workflows = entries.Where(e => e.Workflow is not null).Select(e => e.Workflow!).ToList();
        var activities = entries.Where(e => e.Activity is not null).Select(e => e.Activity!).ToList();
        if (workflows.Count == 0 && activities.Count == 0)
            NothingToRun(_log);

        if (workflows.Count > 0 && o.Workflows.Enabled)
        {
            var s = o.Workflows;
            var defaults = new WorkflowWorkerOptions();
            _workflows = new WorkflowWorker(swf, Common(defaults, o, s) with
            {
                DecisionCacheSize = s.DecisionCacheSize ?? defaults.DecisionCacheSize,
                StickyTaskList = s.StickyTaskList ?? defaults.StickyTaskList,
                StickyScheduleToStartTimeout = s.StickyScheduleToStartTimeout ?? defaults.StickyScheduleToStartTimeout,
            }, workflows);
            await _workflows.StartAsync(cancellationToken).ConfigureAwait(false);
            WorkerStarted(_log, "workflow", _workflows.TaskList, workflows.Count);
        }
        if (activities.Count > 0 && o.Activities.Enabled)
        {
            var s = o.Activities;
            var defaults = new ActivityWorkerOptions();
            _activities = new ActivityWorker(swf, Common(defaults, o, s) with
            {
                HeartbeatThrottleInterval = s.HeartbeatThrottleInterval ?? defaults.HeartbeatThrottleInterval,
                Services = services,
            }, activities);
            await _activities.StartAsync(cancellationToken).ConfigureAwait(false);
            WorkerStarted(_log, "activity", _activities.TaskList, activities.Count);
        }
    }

    private T Common<T>(T defaults, FlowOptions o, WorkerSettings s) where T : WorkerOptions => defaults with
    {
        Domain = o.Domain,
        Identity = o.Identity ?? defaults.Identity,
        TaskList = s.TaskList,
        Pollers = s.Pollers ?? defaults.Pollers,
        MaxConcurrentTasks = s.MaxConcurrentTasks ?? defaults.MaxConcurrentTasks,
        ShutdownTimeout = s.ShutdownTimeout ?? defaults.ShutdownTimeout,
        RegisterTypes = o.RegisterTypes,
        RegisterDomain = o.RegisterDomain,
        DomainRetentionDays = o.DomainRetentionDays,
        LoggerFactory = loggerFactory,
    };

    /// <summary>Both workers stop at once; the host's token bounds the wait.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var stops = new List<Task>(2);
        if (_workflows is not null)
            stops.Add(_workflows.StopAsync(cancellationToken));
        if (_activities is not null)
            stops.Add(_activities.StopAsync(cancellationToken));
        await Task.WhenAll(stops).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    [LoggerMessage(1, LogLevel.Information, "Flow {Kind} worker started on task list {TaskList} with {Count} types")]
    private static partial void WorkerStarted(ILogger logger, string kind, string taskList, int count);

    [LoggerMessage(2, LogLevel.Warning, "Flow is added but no workflows or activities are: no worker runs")]
    private static partial void NothingToRun(ILogger logger);
}
