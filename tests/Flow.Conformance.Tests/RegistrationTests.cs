using Flow.Swf;
using static Flow.Conformance.Tests.Sandbox;

namespace Flow.Conformance.Tests;

/// <summary>Domains and types: register, describe, list, deprecate, undeprecate, and their faults.</summary>
public sealed class RegistrationTests
{
    [Test]
    public async Task Registering_a_domain_twice_is_a_DomainAlreadyExistsFault_on_both()
    {
        var faults = await Both.FaultsAsync(s => s.Client.RegisterDomainAsync(new RegisterDomainInput { Name = s.Domain, WorkflowExecutionRetentionPeriodInDays = "1" }));

        Assert.That(faults, Is.EqualTo(("DomainAlreadyExistsFault", "DomainAlreadyExistsFault")));
    }

    [Test]
    public async Task Registering_a_workflow_type_twice_is_a_TypeAlreadyExistsFault_on_both()
    {
        var faults = await Both.FaultsAsync(s => s.Client.RegisterWorkflowTypeAsync(
            new RegisterWorkflowTypeInput { Domain = s.Domain, Name = OrdersRun.Name, Version = OrdersRun.Version }));

        Assert.That(faults, Is.EqualTo(("TypeAlreadyExistsFault", "TypeAlreadyExistsFault")));
    }

    [Test]
    public async Task Registering_an_activity_type_twice_is_a_TypeAlreadyExistsFault_on_both()
    {
        var faults = await Both.FaultsAsync(s => s.Client.RegisterActivityTypeAsync(
            new RegisterActivityTypeInput { Domain = s.Domain, Name = Charge.Name, Version = Charge.Version }));

        Assert.That(faults, Is.EqualTo(("TypeAlreadyExistsFault", "TypeAlreadyExistsFault")));
    }

    [Test]
    public async Task Describing_a_domain_and_its_types_gives_the_same_answers()
    {
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            var domain = await s.Client.DescribeDomainAsync(new DescribeDomainInput { Name = s.Domain });
            var workflow = await s.Client.DescribeWorkflowTypeAsync(new DescribeWorkflowTypeInput { Domain = s.Domain, WorkflowType = OrdersRun });
            var activity = await s.Client.DescribeActivityTypeAsync(new DescribeActivityTypeInput { Domain = s.Domain, ActivityType = Charge });
            var w = workflow.Configuration;
            var a = activity.Configuration;
            return string.Join("|",
                domain.DomainInfo.Status, domain.Configuration.WorkflowExecutionRetentionPeriodInDays,
                workflow.TypeInfo.Status, w.DefaultTaskList?.Name, w.DefaultExecutionStartToCloseTimeout, w.DefaultTaskStartToCloseTimeout, w.DefaultChildPolicy,
                activity.TypeInfo.Status, a.DefaultTaskList?.Name, a.DefaultTaskScheduleToStartTimeout, a.DefaultTaskScheduleToCloseTimeout,
                a.DefaultTaskStartToCloseTimeout, a.DefaultTaskHeartbeatTimeout);
        });

        Assert.That(dev, Is.EqualTo(moto));
        Assert.That(dev, Is.EqualTo("Registered|1|Registered|decisions|3600|60|Terminate|Registered|activities|60|120|60|NONE"));
    }

    [Test]
    public async Task Deprecated_types_move_between_the_registered_and_deprecated_lists_and_back_on_both()
    {
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            async Task<string> Lists() => string.Join(" ",
                (await s.Client.ListAllWorkflowTypesAsync(new ListWorkflowTypesInput { Domain = s.Domain, RegistrationStatus = RegistrationStatus.Registered }).CountAsync()),
                (await s.Client.ListAllWorkflowTypesAsync(new ListWorkflowTypesInput { Domain = s.Domain, RegistrationStatus = RegistrationStatus.Deprecated }).CountAsync()),
                (await s.Client.ListAllActivityTypesAsync(new ListActivityTypesInput { Domain = s.Domain, RegistrationStatus = RegistrationStatus.Registered }).CountAsync()),
                (await s.Client.ListAllActivityTypesAsync(new ListActivityTypesInput { Domain = s.Domain, RegistrationStatus = RegistrationStatus.Deprecated }).CountAsync()));
            string before = await Lists();
            await s.Client.DeprecateWorkflowTypeAsync(new DeprecateWorkflowTypeInput { Domain = s.Domain, WorkflowType = OrdersRun });
            await s.Client.DeprecateActivityTypeAsync(new DeprecateActivityTypeInput { Domain = s.Domain, ActivityType = Charge });
            string deprecated = await Lists();
            await s.Client.UndeprecateWorkflowTypeAsync(new UndeprecateWorkflowTypeInput { Domain = s.Domain, WorkflowType = OrdersRun });
            await s.Client.UndeprecateActivityTypeAsync(new UndeprecateActivityTypeInput { Domain = s.Domain, ActivityType = Charge });
            return (before, deprecated, after: await Lists());
        });

        Assert.That(dev, Is.EqualTo(moto));
        Assert.That(dev, Is.EqualTo(("1 0 1 0", "0 1 0 1", "1 0 1 0")));
    }

    [Test]
    public async Task A_deprecated_domain_is_listed_as_deprecated_and_undeprecated_back_on_both()
    {
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            async Task<string> Where() =>
                (await s.Client.ListAllDomainsAsync(new ListDomainsInput { RegistrationStatus = RegistrationStatus.Registered }).AnyAsync(d => d.Name == s.Domain) ? "R" : "-") +
                (await s.Client.ListAllDomainsAsync(new ListDomainsInput { RegistrationStatus = RegistrationStatus.Deprecated }).AnyAsync(d => d.Name == s.Domain) ? "D" : "-");
            string before = await Where();
            await s.Client.DeprecateDomainAsync(new DeprecateDomainInput { Name = s.Domain });
            string deprecated = await Where();
            await s.Client.UndeprecateDomainAsync(new UndeprecateDomainInput { Name = s.Domain });
            return (before, deprecated, after: await Where());
        });

        Assert.That(dev, Is.EqualTo(moto));
        Assert.That(dev, Is.EqualTo(("R-", "-D", "R-")));
    }

    [Test]
    public async Task Deprecating_twice_and_undeprecating_what_is_registered_give_the_same_faults()
    {
        // API reference, UndeprecateWorkflowType/UndeprecateActivityType/UndeprecateDomain: undeprecating what is
        // registered is TypeAlreadyExistsFault / DomainAlreadyExistsFault; deprecating twice is
        // TypeDeprecatedFault / DomainDeprecatedFault.
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            async Task<string> Fault(Func<Task> call)
            {
                try { await call(); return "none"; }
                catch (SwfException e) { return e.ErrorCode; }
            }
            return string.Join(" ",
                await Fault(() => s.Client.UndeprecateWorkflowTypeAsync(new UndeprecateWorkflowTypeInput { Domain = s.Domain, WorkflowType = OrdersRun })),
                await Fault(() => s.Client.UndeprecateActivityTypeAsync(new UndeprecateActivityTypeInput { Domain = s.Domain, ActivityType = Charge })),
                await Fault(() => s.Client.UndeprecateDomainAsync(new UndeprecateDomainInput { Name = s.Domain })),
                await Fault(() => s.Client.DeprecateWorkflowTypeAsync(new DeprecateWorkflowTypeInput { Domain = s.Domain, WorkflowType = OrdersRun })),
                await Fault(() => s.Client.DeprecateWorkflowTypeAsync(new DeprecateWorkflowTypeInput { Domain = s.Domain, WorkflowType = OrdersRun })),
                await Fault(() => s.Client.DeprecateDomainAsync(new DeprecateDomainInput { Name = s.Domain })),
                await Fault(() => s.Client.DeprecateDomainAsync(new DeprecateDomainInput { Name = s.Domain })));
        });

        Assert.That(dev, Is.EqualTo(moto));
        Assert.That(dev, Is.EqualTo("TypeAlreadyExistsFault TypeAlreadyExistsFault DomainAlreadyExistsFault none TypeDeprecatedFault none DomainDeprecatedFault"));
    }

    [Test]
    public async Task Describing_what_does_not_exist_is_an_UnknownResourceFault_on_both()
    {
        var (moto, dev) = await Both.RunAsync(async s =>
        {
            async Task<string> Fault(Func<Task> call)
            {
                try { await call(); return "none"; }
                catch (SwfException e) { return e.ErrorCode; }
            }
            return string.Join(" ",
                await Fault(() => s.Client.DescribeDomainAsync(new DescribeDomainInput { Name = s.Domain + "-nope" })),
                await Fault(() => s.Client.DescribeWorkflowTypeAsync(new DescribeWorkflowTypeInput { Domain = s.Domain, WorkflowType = new WorkflowType { Name = "Nope", Version = "1" } })),
                await Fault(() => s.Client.DescribeActivityTypeAsync(new DescribeActivityTypeInput { Domain = s.Domain, ActivityType = new ActivityType { Name = "Nope", Version = "1" } })));
        });

        Assert.That(dev, Is.EqualTo(moto));
        Assert.That(dev, Is.EqualTo("UnknownResourceFault UnknownResourceFault UnknownResourceFault"));
    }
}
