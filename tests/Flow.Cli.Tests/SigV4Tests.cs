using System.Text.Json;
using Flow.Cli.Dev;

namespace Flow.Cli.Tests;

/// <summary><c>flow dev --verify-sigv4</c> against requests signed by botocore and the aws CLI.</summary>
[TestFixture]
public sealed class SigV4Tests
{
    private const string AccessKey = "AKIDFLOWTEST";
    private const string SecretKey = "flow/secret+key";

    // Signs with botocore's SigV4Auth (its clock moved by SKEW minutes), optionally tampers with
    // the body after signing, and sends through botocore's own HTTP session.
    private const string SignAndSend = """
        import sys, json, datetime
        import botocore.auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        from botocore.httpsession import URLLib3Session
        url, key, secret, service, skew, tamper = sys.argv[1:7]
        original = botocore.auth.get_current_datetime
        botocore.auth.get_current_datetime = lambda *a, **k: original(*a, **k) + datetime.timedelta(minutes=float(skew))
        body = json.dumps({"registrationStatus": "REGISTERED"}).encode()
        request = AWSRequest(method="POST", url=url + "/", data=body, headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "SimpleWorkflowService.ListDomains"})
        botocore.auth.SigV4Auth(Credentials(key, secret), service, "us-east-1").add_auth(request)
        prepared = request.prepare()
        if tamper == "1":
            prepared.body = json.dumps({"registrationStatus": "DEPRECATED"}).encode()
        response = URLLib3Session().send(prepared)
        print(json.dumps({"status": response.status_code, "body": response.content.decode()}))
        """;

    private DevServer server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        server = await DevServer.StartAsync("--memory", "--verify-sigv4", "--access-key", AccessKey, "--secret-key", SecretKey);

    [OneTimeTearDown]
    public async Task StopAsync() => await server.DisposeAsync();

    private async Task<Swf.Answer> SignedAsync(string key = AccessKey, string secret = SecretKey, string service = "swf",
        int skewMinutes = 0, bool tamper = false)
    {
        var result = await Tools.PythonAsync(SignAndSend, null, server.Endpoint, key, secret, service,
            skewMinutes.ToString(System.Globalization.CultureInfo.InvariantCulture), tamper ? "1" : "0");
        JsonElement json = result.Json();
        return new Swf.Answer(json.GetProperty("status").GetInt32(), json.GetProperty("body").GetString()!, null!);
    }

    [Test]
    public async Task A_request_signed_by_botocore_with_the_right_keys_is_served()
    {
        var answer = await SignedAsync();
        Assert.That(answer.Status, Is.EqualTo(200), answer.ToString());
        Assert.That(answer.Json.TryGetProperty("domainInfos", out _), Is.True, answer.ToString());
    }

    [Test]
    public async Task A_signature_made_with_another_secret_is_an_invalid_signature()
    {
        var answer = await SignedAsync(secret: "not-the-secret");
        ProtocolTests.AssertFault(answer, 400, "InvalidSignatureException");
    }

    [Test]
    public async Task A_body_changed_after_signing_is_an_invalid_signature()
    {
        var answer = await SignedAsync(tamper: true);
        ProtocolTests.AssertFault(answer, 400, "InvalidSignatureException");
    }

    [Test]
    public async Task A_date_ten_minutes_old_is_an_expired_signature()
    {
        var answer = await SignedAsync(skewMinutes: -10);
        ProtocolTests.AssertFault(answer, 400, "InvalidSignatureException");
        Assert.That(answer.Json.GetProperty("message").GetString(), Does.StartWith("Signature expired"));
    }

    [Test]
    public async Task A_date_ten_minutes_ahead_is_not_yet_current()
    {
        var answer = await SignedAsync(skewMinutes: 10);
        ProtocolTests.AssertFault(answer, 400, "InvalidSignatureException");
        Assert.That(answer.Json.GetProperty("message").GetString(), Does.StartWith("Signature not yet current"));
    }

    [Test]
    public async Task A_date_within_five_minutes_is_accepted()
    {
        var answer = await SignedAsync(skewMinutes: -4);
        Assert.That(answer.Status, Is.EqualTo(200), answer.ToString());
    }

    [Test]
    public async Task An_unknown_access_key_is_an_unrecognized_client()
    {
        var answer = await SignedAsync(key: "AKIDSOMEONEELSE");
        ProtocolTests.AssertFault(answer, 400, "UnrecognizedClientException");
    }

    [Test]
    public async Task A_signature_scoped_to_another_service_is_invalid()
    {
        var answer = await SignedAsync(service: "dynamodb");
        ProtocolTests.AssertFault(answer, 400, "InvalidSignatureException");
    }

    [Test]
    public async Task A_request_without_authorization_is_missing_its_token()
    {
        var answer = await Swf.CallAsync(server, "ListDomains", "{\"registrationStatus\":\"REGISTERED\"}");
        ProtocolTests.AssertFault(answer, 400, "MissingAuthenticationTokenException");
    }

    [Test]
    public async Task The_web_view_is_closed_when_signatures_are_checked()
    {
        using var response = await Swf.Http.GetAsync(server.Url);
        Assert.That((int)response.StatusCode, Is.EqualTo(400));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("MissingAuthenticationTokenException"));
    }

    [Test]
    public async Task The_aws_cli_with_the_right_keys_is_served()
    {
        var result = await Tools.AwsAsync(server.Endpoint, Keys(AccessKey, SecretKey), "swf", "list-domains", "--registration-status", "REGISTERED");
        Assert.That(result.Json().TryGetProperty("domainInfos", out _), Is.True);
    }

    [Test]
    public async Task The_aws_cli_with_a_wrong_secret_reports_an_invalid_signature()
    {
        var result = await Tools.AwsAsync(server.Endpoint, Keys(AccessKey, "wrong"), "swf", "list-domains", "--registration-status", "REGISTERED");
        Assert.That(result.ExitCode, Is.Not.Zero);
        Assert.That(result.Stderr, Does.Contain("InvalidSignatureException"));
    }

    [Test]
    public void The_signing_key_derivation_matches_the_aws_documentation_example()
    {
        byte[] key = SigV4Verifier.SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam");
        Assert.That(Convert.ToHexStringLower(key), Is.EqualTo("c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"));
    }

    private static Dictionary<string, string> Keys(string key, string secret) =>
        new() { ["AWS_ACCESS_KEY_ID"] = key, ["AWS_SECRET_ACCESS_KEY"] = secret };
}
