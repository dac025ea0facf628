using Amazon.Runtime;
using Flow.Runtime.Tests.Swf.Support;
using Flow.Swf;

namespace Flow.Runtime.Tests.Swf;

public class SwfWireFormatTests
{
    private FaultServer _server = null!;

    [SetUp]
    public void Start() => _server = FaultServer.Start();

    [TearDown]
    public async Task Stop() => await _server.DisposeAsync();

    [Test]
    public async Task A_call_is_a_signed_JSON_1_0_POST_to_the_root_naming_the_operation()
    {
        _server.Enqueue(Reply.Json("""{"domainInfo":{"name":"orders","status":"REGISTERED"},"configuration":{"workflowExecutionRetentionPeriodInDays":"1"}}"""));
        using var client = new SwfClient(TestClients.Options(_server.Url));

        var detail = await client.DescribeDomainAsync(new DescribeDomainInput { Name = "orders" });

        var request = _server.Requests.Single();
        Assert.That(detail.DomainInfo.Name, Is.EqualTo("orders"));
        Assert.That(request.Method, Is.EqualTo("POST"));
        Assert.That(request.Path, Is.EqualTo("/"));
        Assert.That(request.Header("X-Amz-Target"), Is.EqualTo("SimpleWorkflowService.DescribeDomain"));
        Assert.That(request.Header("Content-Type"), Is.EqualTo("application/x-amz-json-1.0"));
        Assert.That(request.Body, Is.EqualTo("""{"name":"orders"}"""));
        Assert.That(request.Header("X-Amz-Date"), Does.Match(@"^\d{8}T\d{6}Z$"));
        Assert.That(request.Header("Authorization"), Does.Match(
            @"^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\d{8}/us-east-1/swf/aws4_request, " +
            @"SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$"));
        Assert.That(request.Header("X-Amz-Security-Token"), Is.Null);
    }

    [Test]
    public async Task A_session_token_travels_as_a_signed_security_token_header()
    {
        using var client = new SwfClient(TestClients.Options(_server.Url) with
        {
            Credentials = new SessionAWSCredentials("ASIAEXAMPLE", "secret", "the-session-token"),
        });

        await client.ListDomainsAsync(new ListDomainsInput { RegistrationStatus = RegistrationStatus.Registered });

        var request = _server.Requests.Single();
        Assert.That(request.Header("X-Amz-Security-Token"), Is.EqualTo("the-session-token"));
        Assert.That(request.Header("Authorization"), Does.Contain("Credential=ASIAEXAMPLE/").And.Contain(";x-amz-security-token;"));
    }

    [Test]
    public void The_endpoint_defaults_to_the_regional_SWF_endpoint()
    {
        using var client = new SwfClient(new SwfClientOptions { Region = "eu-west-1", Credentials = TestClients.Dummy });

        Assert.That(client.ServiceUrl, Is.EqualTo(new Uri("https://swf.eu-west-1.amazonaws.com/")));
    }

    [Test]
    public async Task A_retried_call_sends_the_same_body_signed_again()
    {
        _server.Enqueue(Reply.Html(503), Reply.Json("{}"));
        using var client = new SwfClient(TestClients.Options(_server.Url));

        await client.SignalWorkflowExecutionAsync(new SignalWorkflowExecutionInput { Domain = "d", WorkflowId = "w", SignalName = "go" });

        var requests = _server.Requests;
        Assert.That(requests, Has.Count.EqualTo(2));
        Assert.That(requests[1].Body, Is.EqualTo(requests[0].Body));
        Assert.That(requests[1].Header("Authorization"), Does.StartWith("AWS4-HMAC-SHA256 "));
    }

    [Test, NonParallelizable]
    public async Task Without_explicit_credentials_the_SDK_default_chain_finds_them_in_the_environment()
    {
        var saved = new Dictionary<string, string?>();
        void Set(string name, string? value)
        {
            saved.TryAdd(name, Environment.GetEnvironmentVariable(name));
            Environment.SetEnvironmentVariable(name, value);
        }
        try
        {
            Set("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRONMENT");
            Set("AWS_SECRET_ACCESS_KEY", "secret-from-environment");
            Set("AWS_SESSION_TOKEN", null);
            Set("AWS_PROFILE", null);
            // Keep the chain on this machine: no profile files, no instance metadata.
            Set("AWS_SHARED_CREDENTIALS_FILE", Path.Combine(Path.GetTempPath(), "flow-no-such-credentials"));
            Set("AWS_CONFIG_FILE", Path.Combine(Path.GetTempPath(), "flow-no-such-config"));
            Set("AWS_EC2_METADATA_DISABLED", "true");
            using var client = new SwfClient(TestClients.Options(_server.Url) with { Credentials = null });

            await client.ListDomainsAsync(new ListDomainsInput { RegistrationStatus = RegistrationStatus.Registered });

            Assert.That(_server.Requests.Single().Header("Authorization"), Does.Contain("Credential=AKIDFROMENVIRONMENT/"));
        }
        finally
        {
            foreach (var (name, value) in saved)
                Environment.SetEnvironmentVariable(name, value);
        }
    }
}
