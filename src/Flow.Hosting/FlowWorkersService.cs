using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flow.Hosting;

/// <summary>
/// Runs the host's workers: one workflow worker and one activity worker per task list the registered definitions
/// name (or per configured task list); registers the domain and types, polls while the host runs, and stops them all
/// gracefully with it.
/// </summary>
internal sealed partial class FlowWorkersService(IServiceProvider services, IOptions<FlowOptions> options, ILoggerFactory loggerFactory)
    : IHostedService, IAsyncDisposable
{
    private readonly ILogger _log = loggerFactory.CreateLogger<FlowWorkersService>();
    private readonly List<WorkflowWorker> _workflows = [];
    private readonly List<ActivityWorker> _activities = [];

    internal IReadOnlyList<WorkflowWorker> WorkflowWorkers => _workflows;
    internal IReadOnlyList<ActivityWorker> ActivityWorkers => _activities;

    /// <summary>The first workflow worker, for hosts with one decision task list.</summary>
    internal WorkflowWorker? WorkflowWorker => _workflows.FirstOrDefault();

    internal ActivityWorker? ActivityWorker => _activities.FirstOrDefault();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var swf = FlowServiceCollectionExtensions.Swf(services);
        var entries = services.GetServices<FlowRegistrationEntry>().ToList();
        var workflows = entries.Where(e => e.Workflow is not null).Select(e => e.Workflow!).ToList();
        var activities = entries.Where(e => e.Activity is not null).Select(e => e.Activity!).ToList();
        if (workflows.Count == 0 && activities.Count == 0)
            NothingToRun(_log);

        // Grouping first: a definition without a task list stops the host before anything is registered.
        var workflowGroups = o.Workflows.Enabled
            ? Group(workflows, o.Workflows.TaskList, w => w.Definition.DefaultTaskList, w => $"workflow type {w.Definition.Name} {w.Definition.Version}", "Workflows")
            : [];
        var activityGroups = o.Activities.Enabled
            ? Group(activities, o.Activities.TaskList, a => a.Definition.DefaultTaskList, a => $"activity type {a.Definition.Name} {a.Definition.Version}", "Activities")
            : [];

        if (o.RegisterDomain && (workflowGroups.Count > 0 || activityGroups.Count > 0))
            await new FlowRegistration(swf, o.Domain, loggerFactory).RegisterDomainAsync(o.DomainRetentionDays, cancellationToken: cancellationToken)
                .ConfigureAwait(false);

        try
        {
            await StartWorkersAsync(swf, o, workflowGroups, activityGroups, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // A worker that cannot start (a deprecated type) fails the host: those already polling stop with it.
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private async Task StartWorkersAsync(ISwfClient swf, FlowOptions o, List<(string TaskList, List<WorkflowHandler> Handlers)> workflowGroups,
        List<(string TaskList, List<ActivityHandler> Handlers)> activityGroups, CancellationToken cancellationToken)
    {
        foreach (var (taskList, handlers) in workflowGroups)
        {
            var s = o.Workflows;
            var defaults = new WorkflowWorkerOptions();
            var worker = new WorkflowWorker(swf, Common(defaults, o, s, taskList) with
            {
                DecisionCacheSize = s.DecisionCacheSize ?? defaults.DecisionCacheSize,
                StickyTaskList = s.StickyTaskList ?? defaults.StickyTaskList,
                StickyScheduleToStartTimeout = s.StickyScheduleToStartTimeout ?? defaults.StickyScheduleToStartTimeout,
            }, handlers);
            await worker.StartAsync(cancellationToken).ConfigureAwait(false);
            _workflows.Add(worker);
            WorkerStarted(_log, "workflow", worker.TaskList, handlers.Count);
        }
        foreach (var (taskList, handlers) in activityGroups)
        {
            var s = o.Activities;
            var defaults = new ActivityWorkerOptions();
            var worker = new ActivityWorker(swf, Common(defaults, o, s, taskList) with
            {
                HeartbeatThrottleInterval = s.HeartbeatThrottleInterval ?? defaults.HeartbeatThrottleInterval,
                Services = services,
            }, handlers);
            await worker.StartAsync(cancellationToken).ConfigureAwait(false);
            _activities.Add(worker);
            WorkerStarted(_log, "activity", worker.TaskList, handlers.Count);
        }
    }

    /// <summary>Handlers by the task list their worker polls: the configured one for all, else each definition's default.</summary>
    private static List<(string TaskList, List<T> Handlers)> Group<T>(List<T> handlers, string? configured, Func<T, string?> defaultTaskList,
        Func<T, string> describe, string section)
    {
        if (handlers.Count == 0)
            return [];
        if (!string.IsNullOrEmpty(configured))
            return [(configured, handlers)];
        var missing = handlers.Where(h => string.IsNullOrEmpty(defaultTaskList(h))).Select(describe).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"No task list for {string.Join(", ", missing)}: give the definition a default task list, " +
                $"or set Flow:{section}:TaskList to poll one list for all of them.");
        return handlers.GroupBy(h => defaultTaskList(h)!, StringComparer.Ordinal).Select(g => (g.Key, g.ToList())).ToList();
    }

    private T Common<T>(T defaults, FlowOptions o, WorkerSettings s, string taskList) where T : WorkerOptions
    {
        var list = s.TaskLists.GetValueOrDefault(taskList);
        return defaults with
        {
            Domain = o.Domain,
            Identity = o.Identity ?? defaults.Identity,
            TaskList = taskList,
            Pollers = list?.Pollers ?? s.Pollers ?? defaults.Pollers,
            MaxConcurrentTasks = list?.MaxConcurrentTasks ?? s.MaxConcurrentTasks ?? defaults.MaxConcurrentTasks,
            ShutdownTimeout = s.ShutdownTimeout ?? defaults.ShutdownTimeout,
            RegisterTypes = o.RegisterTypes,
            RegisterDomain = false, // done once, above
            DomainRetentionDays = o.DomainRetentionDays,
            LoggerFactory = loggerFactory,
        };
    }

    /// <summary>All workers stop at once; the host's token bounds the wait.</summary>
    public async Task StopAsync(CancellationToken cancellationToken) =>
        await Task.WhenAll(_workflows.Select(w => w.StopAsync(cancellationToken)).Concat(_activities.Select(a => a.StopAsync(cancellationToken))))
            .ConfigureAwait(false);

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    [LoggerMessage(1, LogLevel.Information, "Flow {Kind} worker started on task list {TaskList} with {Count} types")]
    private static partial void WorkerStarted(ILogger logger, string kind, string taskList, int count);

    [LoggerMessage(2, LogLevel.Warning, "Flow is added but no workflows or activities are: no worker runs")]
    private static partial void NothingToRun(ILogger logger);
}
