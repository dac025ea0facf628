using System.Globalization;
using Flow.Swf;
using Flow.Workers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flow;

/// <summary>
/// Registers a domain and the workflow and activity types of definitions. A type or domain that already exists
/// is success; throttling is retried; a deprecated type or domain is a <see cref="FlowRegistrationException"/>,
/// because new executions and tasks of it would be refused.
/// </summary>
public sealed class FlowRegistration
{
    /// <summary>Registered for a workflow type whose definition gives no task start-to-close timeout: 30 seconds.</summary>
    public const string DefaultTaskStartToCloseTimeout = "30";

    /// <summary>Registered for a workflow type whose definition gives no child policy.</summary>
    public const ChildPolicy DefaultChildPolicy = ChildPolicy.Terminate;

    private readonly ISwfClient _swf;
    private readonly ILogger _log;
    private readonly RetryBackoff _backoff;

    public FlowRegistration(ISwfClient swf, string domain, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        _swf = swf;
        Domain = domain;
        _log = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<FlowRegistration>();
        _backoff = new RetryBackoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), timeProvider ?? TimeProvider.System);
    }

    public string Domain { get; }

    /// <summary>Attempts at each call before a throttled registration gives up.</summary>
    public int MaxAttempts { get; init; } = 10;

    public async Task RegisterDomainAsync(int retentionDays, string? description = null, CancellationToken cancellationToken = default)
    {
        try
        {
            await RetryAsync(ct => _swf.RegisterDomainAsync(new RegisterDomainInput
            {
                Name = Domain,
                Description = description,
                WorkflowExecutionRetentionPeriodInDays = retentionDays.ToString(CultureInfo.InvariantCulture),
            }, ct), cancellationToken).ConfigureAwait(false);
            WorkerLog.Registered(_log, "domain", Domain, "", Domain);
        }
        catch (DomainAlreadyExistsException)
        {
            var detail = await RetryAsync(ct => _swf.DescribeDomainAsync(new DescribeDomainInput { Name = Domain }, ct), cancellationToken).ConfigureAwait(false);
            if (detail.DomainInfo.Status == RegistrationStatus.Deprecated)
                throw new FlowRegistrationException($"Domain {Domain} is deprecated: SWF starts no new executions in it. " +
                    "Undeprecate it (UndeprecateDomain) or use another domain.");
        }
    }

    public async Task RegisterWorkflowTypeAsync(WorkflowDefinition workflow, string? defaultTaskList, CancellationToken cancellationToken = default)
    {
        try
        {
            string? taskList = workflow.DefaultTaskList ?? defaultTaskList;
            await RetryAsync(ct => _swf.RegisterWorkflowTypeAsync(new RegisterWorkflowTypeInput
            {
                Domain = Domain,
                Name = workflow.Name,
                Version = workflow.Version,
                Description = workflow.Description,
                DefaultTaskList = taskList is null ? null : new TaskList { Name = taskList },
                DefaultTaskPriority = workflow.DefaultTaskPriority,
                DefaultExecutionStartToCloseTimeout = workflow.DefaultExecutionStartToCloseTimeout,
                // Left out by the contract, the AWS Flow Framework's registration defaults: without them every start
                // would have to pass both, or fail with DefaultUndefinedFault.
                DefaultTaskStartToCloseTimeout = workflow.DefaultTaskStartToCloseTimeout ?? DefaultTaskStartToCloseTimeout,
                DefaultChildPolicy = workflow.DefaultChildPolicy ?? DefaultChildPolicy,
            }, ct), cancellationToken).ConfigureAwait(false);
            WorkerLog.Registered(_log, "workflow type", workflow.Name, workflow.Version, Domain);
        }
        catch (TypeAlreadyExistsException)
        {
            // Registered before; a deprecated type exists too, and SWF would refuse to start it.
            var detail = await RetryAsync(ct => _swf.DescribeWorkflowTypeAsync(
                new DescribeWorkflowTypeInput { Domain = Domain, WorkflowType = workflow.ToWorkflowType() }, ct), cancellationToken).ConfigureAwait(false);
            if (detail.TypeInfo.Status == RegistrationStatus.Deprecated)
                throw new FlowRegistrationException($"Workflow type {workflow.Name} {workflow.Version} is deprecated in domain {Domain}: " +
                    "SWF refuses new executions of it. Give the contract a new version, or undeprecate the type (UndeprecateWorkflowType).");
        }
    }

    public async Task RegisterActivityTypeAsync(ActivityDefinition activity, string? defaultTaskList, CancellationToken cancellationToken = default)
    {
        try
        {
            string? taskList = activity.DefaultTaskList ?? defaultTaskList;
            await RetryAsync(ct => _swf.RegisterActivityTypeAsync(new RegisterActivityTypeInput
            {
                Domain = Domain,
                Name = activity.Name,
                Version = activity.Version,
                Description = activity.Description,
                DefaultTaskList = taskList is null ? null : new TaskList { Name = taskList },
                DefaultTaskPriority = activity.DefaultTaskPriority,
                DefaultTaskScheduleToStartTimeout = activity.DefaultScheduleToStartTimeout,
                DefaultTaskStartToCloseTimeout = activity.DefaultStartToCloseTimeout,
                DefaultTaskScheduleToCloseTimeout = activity.DefaultScheduleToCloseTimeout,
                DefaultTaskHeartbeatTimeout = activity.DefaultHeartbeatTimeout,
            }, ct), cancellationToken).ConfigureAwait(false);
            WorkerLog.Registered(_log, "activity type", activity.Name, activity.Version, Domain);
        }
        catch (TypeAlreadyExistsException)
        {
            var detail = await RetryAsync(ct => _swf.DescribeActivityTypeAsync(
                new DescribeActivityTypeInput { Domain = Domain, ActivityType = activity.ToActivityType() }, ct), cancellationToken).ConfigureAwait(false);
            if (detail.TypeInfo.Status == RegistrationStatus.Deprecated)
                throw new FlowRegistrationException($"Activity type {activity.Name} {activity.Version} is deprecated in domain {Domain}: " +
                    "SWF refuses to schedule it. Give the contract a new version, or undeprecate the type (UndeprecateActivityType).");
        }
    }

    private async Task RetryAsync(Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        await RetryAsync(async ct => { await call(ct).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);

    private async Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await call(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (attempt + 1 < MaxAttempts && RetryBackoff.IsTransient(ex, cancellationToken))
            {
                WorkerLog.RegistrationRetry(_log, ex, attempt + 1);
                await _backoff.DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>Registration found something that keeps the worker from working (a deprecated type or domain).</summary>
public sealed class FlowRegistrationException(string message) : Exception(message);
