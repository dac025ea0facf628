using Flow.Swf;
using static Flow.Local.Tests.Harness;

namespace Flow.Local.Tests;

public class RegistryAndListTests
{
    Harness _h = null!;

    [SetUp]
    public void SetUp() => _h = new Harness();

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void A_domain_is_registered_described_listed_deprecated_and_undeprecated()
    {
        Run(_h.Swf.RegisterDomainAsync(new RegisterDomainInput { Name = "d2", WorkflowExecutionRetentionPeriodInDays = "7", Description = "second" }));
        var detail = Run(_h.Swf.DescribeDomainAsync(new DescribeDomainInput { Name = "d2" }));
        Assert.That((detail.DomainInfo.Description, detail.DomainInfo.Status, detail.Configuration.WorkflowExecutionRetentionPeriodInDays),
            Is.EqualTo(("second", RegistrationStatus.Registered, "7")));
        Assert.That(detail.DomainInfo.Arn, Does.EndWith(":/domain/d2"));
        Assert.That(() => Run(_h.Swf.RegisterDomainAsync(new RegisterDomainInput { Name = "d2", WorkflowExecutionRetentionPeriodInDays = "7" })),
            Throws.TypeOf<DomainAlreadyExistsException>());
        Run(_h.Swf.DeprecateDomainAsync(new DeprecateDomainInput { Name = "d2" }));
        Assert.That(() => Run(_h.Swf.DeprecateDomainAsync(new DeprecateDomainInput { Name = "d2" })), Throws.TypeOf<DomainDeprecatedException>());
        var deprecated = Run(_h.Swf.ListDomainsAsync(new ListDomainsInput { RegistrationStatus = RegistrationStatus.Deprecated }));
        Assert.That(deprecated.Items.Select(d => d.Name), Is.EqualTo(new[] { "d2" }));
        Run(_h.Swf.UndeprecateDomainAsync(new UndeprecateDomainInput { Name = "d2" }));
        Assert.That(() => Run(_h.Swf.UndeprecateDomainAsync(new UndeprecateDomainInput { Name = "d2" })), Throws.TypeOf<DomainAlreadyExistsException>());
        Assert.That(() => Run(_h.Swf.DescribeDomainAsync(new DescribeDomainInput { Name = "none" })), Throws.TypeOf<UnknownResourceException>());
    }

    [Test]
    public void Domain_tags_are_added_listed_and_removed_by_arn()
    {
        var arn = Run(_h.Swf.DescribeDomainAsync(new DescribeDomainInput { Name = Domain })).DomainInfo.Arn!;
        Run(_h.Swf.TagResourceAsync(new TagResourceInput { ResourceArn = arn, Tags = [new ResourceTag { Key = "k", Value = "v" }, new ResourceTag { Key = "x" }] }));
        Run(_h.Swf.UntagResourceAsync(new UntagResourceInput { ResourceArn = arn, TagKeys = ["x"] }));
        var tags = Run(_h.Swf.ListTagsForResourceAsync(new ListTagsForResourceInput { ResourceArn = arn })).Tags!;
        Assert.That(tags.Select(t => (t.Key, t.Value)), Is.EqualTo(new[] { ("k", (string?)"v") }));
    }

    [Test]
    public void A_tag_key_given_twice_keeps_its_last_value_on_registration_and_tagging_alike()
    {
        Run(_h.Swf.RegisterDomainAsync(new RegisterDomainInput
        {
            Name = "tagged", WorkflowExecutionRetentionPeriodInDays = "1",
            Tags = [new ResourceTag { Key = "x", Value = "1" }, new ResourceTag { Key = "y", Value = "y" }, new ResourceTag { Key = "x", Value = "2" }],
        }));
        var arn = Run(_h.Swf.DescribeDomainAsync(new DescribeDomainInput { Name = "tagged" })).DomainInfo.Arn!;
        Run(_h.Swf.TagResourceAsync(new TagResourceInput { ResourceArn = arn, Tags = [new ResourceTag { Key = "y", Value = "3" }, new ResourceTag { Key = "y", Value = "4" }] }));
        var tags = Run(_h.Swf.ListTagsForResourceAsync(new ListTagsForResourceInput { ResourceArn = arn })).Tags!;
        Assert.That(tags.Select(t => (t.Key, t.Value)), Is.EqualTo(new[] { ("x", (string?)"2"), ("y", "4") }));
    }

    [Test]
    public void Types_are_deprecated_undeprecated_and_deleted_only_when_deprecated()
    {
        var type = new ActivityType { Name = "Work", Version = "1" };
        Assert.That(() => Run(_h.Swf.RegisterActivityTypeAsync(new RegisterActivityTypeInput { Domain = Domain, Name = "Work", Version = "1" })),
            Throws.TypeOf<TypeAlreadyExistsException>());
        Assert.That(() => Run(_h.Swf.DeleteActivityTypeAsync(new DeleteActivityTypeInput { Domain = Domain, ActivityType = type })),
            Throws.TypeOf<TypeNotDeprecatedException>());
        Run(_h.Swf.DeprecateActivityTypeAsync(new DeprecateActivityTypeInput { Domain = Domain, ActivityType = type }));
        Assert.That(() => Run(_h.Swf.DeprecateActivityTypeAsync(new DeprecateActivityTypeInput { Domain = Domain, ActivityType = type })),
            Throws.TypeOf<TypeDeprecatedException>());
        var detail = Run(_h.Swf.DescribeActivityTypeAsync(new DescribeActivityTypeInput { Domain = Domain, ActivityType = type }));
        Assert.That((detail.TypeInfo.Status, detail.TypeInfo.DeprecationDate is not null, detail.Configuration.DefaultTaskList!.Name),
            Is.EqualTo((RegistrationStatus.Deprecated, true, ActivityList)));
        Run(_h.Swf.UndeprecateActivityTypeAsync(new UndeprecateActivityTypeInput { Domain = Domain, ActivityType = type }));
        Assert.That(() => Run(_h.Swf.UndeprecateActivityTypeAsync(new UndeprecateActivityTypeInput { Domain = Domain, ActivityType = type })),
            Throws.TypeOf<TypeAlreadyExistsException>());
        Run(_h.Swf.DeprecateActivityTypeAsync(new DeprecateActivityTypeInput { Domain = Domain, ActivityType = type }));
        Run(_h.Swf.DeleteActivityTypeAsync(new DeleteActivityTypeInput { Domain = Domain, ActivityType = type }));
        Assert.That(() => Run(_h.Swf.DescribeActivityTypeAsync(new DescribeActivityTypeInput { Domain = Domain, ActivityType = type })),
            Throws.TypeOf<UnknownResourceException>());

        var wt = new WorkflowType { Name = "Flow", Version = "1" };
        Run(_h.Swf.DeprecateWorkflowTypeAsync(new DeprecateWorkflowTypeInput { Domain = Domain, WorkflowType = wt }));
        Assert.That(() => _h.Start(), Throws.TypeOf<TypeDeprecatedException>());
        Run(_h.Swf.UndeprecateWorkflowTypeAsync(new UndeprecateWorkflowTypeInput { Domain = Domain, WorkflowType = wt }));
        Assert.That(Run(_h.Swf.DescribeWorkflowTypeAsync(new DescribeWorkflowTypeInput { Domain = Domain, WorkflowType = wt })).Configuration.DefaultChildPolicy,
            Is.EqualTo(ChildPolicy.Terminate));
    }

    [Test]
    public void Type_lists_filter_by_name_and_status_and_come_in_pages()
    {
        for (var i = 0; i < 5; i++)
            Run(_h.Swf.RegisterWorkflowTypeAsync(new RegisterWorkflowTypeInput { Domain = Domain, Name = "Many", Version = $"v{i}" }));
        var names = new List<string>();
        string? token = null;
        do
        {
            var page = Run(_h.Swf.ListWorkflowTypesAsync(new ListWorkflowTypesInput
            {
                Domain = Domain, Name = "Many", RegistrationStatus = RegistrationStatus.Registered, MaximumPageSize = 2, NextPageToken = token,
            }));
            Assert.That(page.TypeInfos.Count, Is.LessThanOrEqualTo(2));
            names.AddRange(page.TypeInfos.Select(t => t.WorkflowType.Version));
            token = page.NextPageToken;
        }
        while (token is not null);
        Assert.That(names, Is.EqualTo(new[] { "v0", "v1", "v2", "v3", "v4" }));
        var reversed = Run(_h.Swf.ListWorkflowTypesAsync(new ListWorkflowTypesInput
        {
            Domain = Domain, Name = "Many", RegistrationStatus = RegistrationStatus.Registered, ReverseOrder = true,
        }));
        Assert.That(reversed.TypeInfos.First().WorkflowType.Version, Is.EqualTo("v4"));
        Assert.That(Run(_h.Swf.ListActivityTypesAsync(new ListActivityTypesInput { Domain = Domain, RegistrationStatus = RegistrationStatus.Deprecated })).TypeInfos,
            Is.Empty);
    }

    [Test]
    public void Start_needs_every_value_or_its_default()
    {
        Run(_h.Swf.RegisterWorkflowTypeAsync(new RegisterWorkflowTypeInput { Domain = Domain, Name = "Bare", Version = "1" }));
        StartWorkflowExecutionInput Bare() => new()
        {
            Domain = Domain, WorkflowId = "b", WorkflowType = new WorkflowType { Name = "Bare", Version = "1" },
            TaskList = new TaskList { Name = "l" }, ExecutionStartToCloseTimeout = "60", TaskStartToCloseTimeout = "10", ChildPolicy = ChildPolicy.Abandon,
        };
        var noList = Bare();
        noList.TaskList = null;
        var noEsc = Bare();
        noEsc.ExecutionStartToCloseTimeout = null;
        var noTsc = Bare();
        noTsc.TaskStartToCloseTimeout = null;
        var noPolicy = Bare();
        noPolicy.ChildPolicy = null;
        foreach (var input in new[] { noList, noEsc, noTsc, noPolicy })
            Assert.That(() => Run(_h.Swf.StartWorkflowExecutionAsync(input)), Throws.TypeOf<DefaultUndefinedException>());
        Assert.That(Run(_h.Swf.StartWorkflowExecutionAsync(Bare())).RunId, Is.Not.Empty);
        Assert.That(() => Run(_h.Swf.StartWorkflowExecutionAsync(Bare())), Throws.TypeOf<WorkflowExecutionAlreadyStartedException>());
        var badTimeout = Bare();
        badTimeout.WorkflowId = "c";
        badTimeout.ExecutionStartToCloseTimeout = "NONE";
        Assert.That(() => Run(_h.Swf.StartWorkflowExecutionAsync(badTimeout)), Throws.TypeOf<SwfValidationException>());
        var unknown = Bare();
        unknown.WorkflowType = new WorkflowType { Name = "Ghost", Version = "1" };
        Assert.That(() => Run(_h.Swf.StartWorkflowExecutionAsync(unknown)), Throws.TypeOf<UnknownResourceException>());
        var tooManyTags = Bare();
        tooManyTags.TagList = ["1", "2", "3", "4", "5", "6"];
        Assert.That(() => Run(_h.Swf.StartWorkflowExecutionAsync(tooManyTags)), Throws.TypeOf<SwfValidationException>());
    }

    [Test]
    public void Open_and_closed_executions_are_listed_and_counted_with_every_filter()
    {
        var t0 = _h.Time.GetUtcNow();
        _h.Start("a", configure: s => s.TagList = ["red"]);
        _h.Advance(TimeSpan.FromSeconds(1));
        _h.Start("b", configure: s => s.TagList = ["blue"]);
        _h.Advance(TimeSpan.FromSeconds(1));
        var c = _h.Start("c");
        Run(_h.Swf.TerminateWorkflowExecutionAsync(new TerminateWorkflowExecutionInput { Domain = Domain, WorkflowId = "c" }));
        _h.Advance(TimeSpan.FromSeconds(1));
        _h.Start("d", configure: s => s.TaskList = new TaskList { Name = "d-list" });
        _h.Decide(_h.PollDecision("d-list"), Complete());

        var all = new ExecutionTimeFilter { OldestDate = t0 };
        var open = Run(_h.Swf.ListOpenWorkflowExecutionsAsync(new ListOpenWorkflowExecutionsInput { Domain = Domain, StartTimeFilter = all }));
        Assert.That(open.ExecutionInfos.Select(i => i.Execution.WorkflowId), Is.EqualTo(new[] { "b", "a" }), "newest first");
        Assert.That(Run(_h.Swf.ListOpenWorkflowExecutionsAsync(new ListOpenWorkflowExecutionsInput
        {
            Domain = Domain, StartTimeFilter = all, TagFilter = new TagFilter { Tag = "red" },
        })).ExecutionInfos.Single().Execution.WorkflowId, Is.EqualTo("a"));
        Assert.That(Run(_h.Swf.ListOpenWorkflowExecutionsAsync(new ListOpenWorkflowExecutionsInput
        {
            Domain = Domain, StartTimeFilter = new ExecutionTimeFilter { OldestDate = t0 + TimeSpan.FromSeconds(1) },
        })).ExecutionInfos.Single().Execution.WorkflowId, Is.EqualTo("b"));
        Assert.That(Run(_h.Swf.ListOpenWorkflowExecutionsAsync(new ListOpenWorkflowExecutionsInput
        {
            Domain = Domain, StartTimeFilter = all, ExecutionFilter = new WorkflowExecutionFilter { WorkflowId = "b" }, ReverseOrder = true,
        })).ExecutionInfos.Single().Execution.WorkflowId, Is.EqualTo("b"));
        Assert.That(Run(_h.Swf.CountOpenWorkflowExecutionsAsync(new CountOpenWorkflowExecutionsInput
        {
            Domain = Domain, StartTimeFilter = all, TypeFilter = new WorkflowTypeFilter { Name = "Flow" },
        })).Count, Is.EqualTo(2));

        var closed = Run(_h.Swf.ListClosedWorkflowExecutionsAsync(new ListClosedWorkflowExecutionsInput
        {
            Domain = Domain, CloseTimeFilter = all, MaximumPageSize = 1,
        }));
        Assert.That(closed.ExecutionInfos.Single().Execution.WorkflowId, Is.EqualTo("d"));
        Assert.That(closed.NextPageToken, Is.Not.Null);
        var second = Run(_h.Swf.ListClosedWorkflowExecutionsAsync(new ListClosedWorkflowExecutionsInput
        {
            Domain = Domain, CloseTimeFilter = all, MaximumPageSize = 1, NextPageToken = closed.NextPageToken,
        }));
        Assert.That(second.ExecutionInfos.Single().Execution.RunId, Is.EqualTo(c.RunId));
        Assert.That(Run(_h.Swf.CountClosedWorkflowExecutionsAsync(new CountClosedWorkflowExecutionsInput
        {
            Domain = Domain, StartTimeFilter = all, CloseStatusFilter = new CloseStatusFilter { Status = CloseStatus.Terminated },
        })).Count, Is.EqualTo(1));
        Assert.That(() => Run(_h.Swf.CountClosedWorkflowExecutionsAsync(new CountClosedWorkflowExecutionsInput
        {
            Domain = Domain, StartTimeFilter = all, CloseTimeFilter = all,
        })), Throws.TypeOf<SwfValidationException>());
        Assert.That(() => Run(_h.Swf.ListOpenWorkflowExecutionsAsync(new ListOpenWorkflowExecutionsInput
        {
            Domain = Domain, StartTimeFilter = all, TagFilter = new TagFilter { Tag = "red" }, TypeFilter = new WorkflowTypeFilter { Name = "Flow" },
        })), Throws.TypeOf<SwfValidationException>());
    }

    [Test]
    public void A_deprecated_domain_runs_its_executions_but_starts_no_new_ones()
    {
        var wf = _h.Start();
        Run(_h.Swf.DeprecateDomainAsync(new DeprecateDomainInput { Name = Domain }));
        Assert.That(() => _h.Start("other"), Throws.TypeOf<UnknownResourceException>());
        _h.Decide(_h.PollDecision(), Complete());
        Assert.That(_h.Describe(wf).ExecutionInfo.CloseStatus, Is.EqualTo(CloseStatus.Completed));
    }
}
