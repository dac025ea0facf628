using System.Text;
using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Flow.Runtime.Tests.Swf.Support;
using Flow.Swf;

namespace Flow.Runtime.Tests.Swf;

/// <summary>Our signing path gives the Authorization header botocore gives (vectors/sigv4.json).</summary>
public class SigV4SignatureTests
{
    public sealed record Vector(
        string Name, Uri Endpoint, string Region, string Operation, string Body,
        string AccessKey, string SecretKey, string? SessionToken, DateTimeOffset SignedAt,
        string Authorization, string AmzDate, string? SecurityToken)
    {
        public AWSCredentials Credentials => SessionToken is null
            ? new BasicAWSCredentials(AccessKey, SecretKey)
            : new SessionAWSCredentials(AccessKey, SecretKey, SessionToken);

        public override string ToString() => Name;
    }

    public static IEnumerable<Vector> Vectors()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestFiles.SigV4Vectors));
        foreach (var v in doc.RootElement.GetProperty("vectors").EnumerateArray())
        {
            var expected = v.GetProperty("expected");
            yield return new Vector(
                v.GetProperty("name").GetString()!,
                new Uri(v.GetProperty("endpoint").GetString()!),
                v.GetProperty("region").GetString()!,
                v.GetProperty("operation").GetString()!,
                v.GetProperty("body").GetString()!,
                v.GetProperty("accessKey").GetString()!,
                v.GetProperty("secretKey").GetString()!,
                v.GetProperty("sessionToken").GetString(),
                DateTimeOffset.Parse(v.GetProperty("signedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                expected.GetProperty("Authorization").GetString()!,
                expected.GetProperty("X-Amz-Date").GetString()!,
                expected.GetProperty("X-Amz-Security-Token").GetString());
        }
    }

    [Test]
    public void The_vectors_cover_plain_and_session_credentials() =>
        Assert.That(Vectors().Select(v => v.SessionToken is null).Distinct().Count(), Is.EqualTo(2));

    [TestCaseSource(nameof(Vectors))]
    public async Task The_signer_gives_botocores_headers(Vector vector)
    {
        using var signer = new SwfRequestSigner(
            vector.Endpoint, RegionEndpoint.GetBySystemName(vector.Region), vector.Credentials, new FixedClock(vector.SignedAt));

        using var request = await signer.CreateAsync(vector.Operation, Encoding.UTF8.GetBytes(vector.Body), CancellationToken.None);

        Assert.That(Header(request, "Authorization"), Is.EqualTo(vector.Authorization));
        Assert.That(Header(request, "X-Amz-Date"), Is.EqualTo(vector.AmzDate));
        Assert.That(Header(request, "X-Amz-Security-Token"), Is.EqualTo(vector.SecurityToken));
        Assert.That(Header(request, "X-Amz-Target"), Is.EqualTo("SimpleWorkflowService." + vector.Operation));
        Assert.That(request.Content!.Headers.ContentType!.ToString(), Is.EqualTo("application/x-amz-json-1.0"));
    }

    [Test]
    public async Task The_client_sends_the_body_and_signature_botocore_computes()
    {
        var vector = Vectors().First(v => v.Operation == "PollForDecisionTask");
        using var capture = new CapturingHandler();
        using var client = new SwfClient(new SwfClientOptions
        {
            ServiceUrl = vector.Endpoint,
            Region = vector.Region,
            Credentials = vector.Credentials,
            TimeProvider = new FixedClock(vector.SignedAt),
            HttpHandler = capture,
        });

        await client.PollForDecisionTaskAsync(new PollForDecisionTaskInput
        {
            Domain = "orders",
            TaskList = new TaskList { Name = "main" },
            Identity = "worker-1",
        });

        Assert.That(capture.Body, Is.EqualTo(vector.Body));
        Assert.That(capture.Headers["Authorization"], Is.EqualTo(vector.Authorization));
        Assert.That(capture.Headers["X-Amz-Security-Token"], Is.EqualTo(vector.SecurityToken));
    }

    private static string? Header(HttpRequestMessage request, string name) =>
        request.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>Stands in for the network so the vector's fixed host needs no server; answers an empty poll.</summary>
    private sealed class CapturingHandler : HttpMessageHandler
    {
        public string? Body { get; private set; }
        public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Body = await request.Content!.ReadAsStringAsync(cancellationToken);
            foreach (var (name, values) in request.Headers)
                Headers[name] = string.Join(",", values);
            return new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent("""{"startedEventId":0}""") };
        }
    }
}
