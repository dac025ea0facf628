using Flow.Runtime.Tests.Swf.Support;
using Flow.Swf;

namespace Flow.Runtime.Tests.Swf;

/// <summary>Limits from the API model are checked before sending: the error names the field, its length
/// and the limit, and the server never sees the request.</summary>
public class SwfClientValidationTests
{
    private FaultServer _server = null!;
    private SwfClient _client = null!;

    [SetUp]
    public void Start()
    {
        _server = FaultServer.Start();
        _client = new SwfClient(TestClients.Options(_server.Url));
    }

    [TearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private ArgumentException Rejects(Func<Task> call)
    {
        var thrown = Assert.Catch<ArgumentException>(() => call().GetAwaiter().GetResult())!;
        Assert.That(_server.Requests, Is.Empty, "nothing may be sent");
        return thrown;
    }

    [Test]
    public void An_oversized_workflow_input_is_refused_naming_field_length_and_limit()
    {
        var thrown = Rejects(() => _client.StartWorkflowExecutionAsync(new StartWorkflowExecutionInput
        {
            Domain = "d",
            WorkflowId = "w",
            WorkflowType = new WorkflowType { Name = "t", Version = "1" },
            Input = new string('x', 32_769),
        }));

        Assert.That(thrown.ParamName, Is.EqualTo("input"));
        Assert.That(thrown.Message, Does.Contain("input is 32769 characters long; SWF allows at most 32768"));
    }

    [Test]
    public void An_oversized_failure_reason_is_refused()
    {
        var thrown = Rejects(() => _client.RespondActivityTaskFailedAsync(new RespondActivityTaskFailedInput
        {
            TaskToken = "token",
            Reason = new string('r', 257),
        }));

        Assert.That(thrown.ParamName, Is.EqualTo("reason"));
        Assert.That(thrown.Message, Does.Contain("257").And.Contain("256"));
    }

    [Test]
    public void Oversized_heartbeat_details_are_refused()
    {
        var thrown = Rejects(() => _client.RecordActivityTaskHeartbeatAsync(new RecordActivityTaskHeartbeatInput
        {
            TaskToken = "token",
            Details = new string('d', 2_049),
        }));

        Assert.That(thrown.ParamName, Is.EqualTo("details"));
        Assert.That(thrown.Message, Does.Contain("2049").And.Contain("2048"));
    }

    [Test]
    public void More_than_100_decisions_are_refused()
    {
        var decisions = Enumerable.Range(0, 101).Select(i => new Decision
        {
            DecisionType = DecisionType.RecordMarker,
            RecordMarkerDecisionAttributes = new RecordMarkerDecisionAttributes { MarkerName = "m" + i },
        }).ToList();

        var thrown = Rejects(() => _client.RespondDecisionTaskCompletedAsync(new RespondDecisionTaskCompletedInput
        {
            TaskToken = "token",
            Decisions = decisions,
        }));

        Assert.That(thrown.ParamName, Is.EqualTo("decisions"));
        Assert.That(thrown.Message, Does.Contain("101 entries").And.Contain("at most 100"));
    }

    [Test]
    public void A_field_inside_a_decision_is_named_by_its_path()
    {
        var decisions = Enumerable.Range(0, 4).Select(i => new Decision
        {
            DecisionType = DecisionType.ScheduleActivityTask,
            ScheduleActivityTaskDecisionAttributes = new ScheduleActivityTaskDecisionAttributes
            {
                ActivityType = new ActivityType { Name = "a", Version = "1" },
                ActivityId = "a" + i,
                Input = i == 3 ? new string('x', 40_000) : "small",
            },
        }).ToList();

        var thrown = Rejects(() => _client.RespondDecisionTaskCompletedAsync(new RespondDecisionTaskCompletedInput
        {
            TaskToken = "token",
            Decisions = decisions,
        }));

        Assert.That(thrown.ParamName, Is.EqualTo("decisions[3].scheduleActivityTaskDecisionAttributes.input"));
        Assert.That(thrown.Message, Does.Contain("40000").And.Contain("32768"));
    }

    [Test]
    public void A_request_over_one_megabyte_is_refused_before_sending()
    {
        var decisions = Enumerable.Range(0, 40).Select(i => new Decision
        {
            DecisionType = DecisionType.RecordMarker,
            RecordMarkerDecisionAttributes = new RecordMarkerDecisionAttributes { MarkerName = "m" + i, Details = new string('d', 32_768) },
        }).ToList();

        var thrown = Rejects(() => _client.RespondDecisionTaskCompletedAsync(new RespondDecisionTaskCompletedInput
        {
            TaskToken = "token",
            Decisions = decisions,
        }));

        Assert.That(thrown.Message, Does.Contain("RespondDecisionTaskCompleted request is").And.Contain("at most 1048576"));
    }

    [Test]
    public void A_missing_required_field_is_refused()
    {
        var thrown = Rejects(() => _client.DescribeDomainAsync(new DescribeDomainInput()));

        Assert.That(thrown.ParamName, Is.EqualTo("name"));
        Assert.That(thrown.Message, Does.Contain("name is required"));
    }

    [Test]
    public void A_page_size_over_1000_is_refused()
    {
        var thrown = Rejects(() => _client.ListDomainsAsync(new ListDomainsInput
        {
            RegistrationStatus = RegistrationStatus.Registered,
            MaximumPageSize = 1001,
        }));

        Assert.That(thrown.ParamName, Is.EqualTo("maximumPageSize"));
    }

    [Test]
    public void More_than_five_execution_tags_are_refused()
    {
        var thrown = Rejects(() => _client.StartWorkflowExecutionAsync(new StartWorkflowExecutionInput
        {
            Domain = "d",
            WorkflowId = "w",
            WorkflowType = new WorkflowType { Name = "t", Version = "1" },
            TagList = ["a", "b", "c", "d", "e", "f"],
        }));

        Assert.That(thrown.ParamName, Is.EqualTo("tagList"));
        Assert.That(thrown.Message, Does.Contain("6 entries").And.Contain("at most 5"));
    }

    [Test]
    public void More_than_fifty_domain_tags_are_refused()
    {
        var thrown = Rejects(() => _client.TagResourceAsync(new TagResourceInput
        {
            ResourceArn = "arn:aws:swf:us-east-1:123456789012:/domain/d",
            Tags = Enumerable.Range(0, 51).Select(i => new ResourceTag { Key = "k" + i }).ToList(),
        }));

        Assert.That(thrown.ParamName, Is.EqualTo("tags"));
        Assert.That(thrown.Message, Does.Contain("51 entries").And.Contain("at most 50"));
    }

    private static RegisterWorkflowTypeInput WorkflowTypeOf(int nameLength, int versionLength) => new()
    {
        Domain = "d",
        Name = new string('n', nameLength),
        Version = new string('v', versionLength),
    };

    [Test]
    public void A_type_name_over_256_characters_is_refused_naming_field_length_and_limit()
    {
        var thrown = Rejects(() => _client.RegisterWorkflowTypeAsync(WorkflowTypeOf(257, 1)));

        Assert.That(thrown.ParamName, Is.EqualTo("name"));
        Assert.That(thrown.Message, Does.StartWith("name is 257 characters long; SWF allows at most 256."));
    }

    [Test]
    public void A_type_version_over_64_characters_is_refused_naming_field_length_and_limit()
    {
        var thrown = Rejects(() => _client.RegisterWorkflowTypeAsync(WorkflowTypeOf(1, 65)));

        Assert.That(thrown.ParamName, Is.EqualTo("version"));
        Assert.That(thrown.Message, Does.StartWith("version is 65 characters long; SWF allows at most 64."));
    }

    [TestCase(257, 1, "execution.workflowId", 256)]
    [TestCase(1, 65, "execution.runId", 64)]
    public void An_execution_with_a_workflow_id_over_256_or_a_run_id_over_64_characters_is_refused(
        int workflowIdLength, int runIdLength, string field, int limit)
    {
        var thrown = Rejects(() => _client.DescribeWorkflowExecutionAsync(new DescribeWorkflowExecutionInput
        {
            Domain = "d",
            Execution = new WorkflowExecution { WorkflowId = new string('w', workflowIdLength), RunId = new string('r', runIdLength) },
        }));

        Assert.That(thrown.ParamName, Is.EqualTo(field));
        Assert.That(thrown.Message, Does.StartWith($"{field} is {limit + 1} characters long; SWF allows at most {limit}."));
    }

    [Test]
    public async Task A_name_of_256_and_a_version_of_64_characters_are_sent()
    {
        _server.Enqueue(Reply.Json("{}"));

        await _client.RegisterWorkflowTypeAsync(WorkflowTypeOf(256, 64));

        Assert.That(_server.Requests, Has.Count.EqualTo(1));
    }
}
