using System.Net.Http.Headers;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Signing;

namespace Flow.Swf;

/// <summary>
/// Builds the HTTP request for one attempt of an SWF call in the JSON 1.0 protocol and signs it with
/// AWSSDK.Core's SigV4 signer. Every attempt is signed afresh, so a retry carries a current date.
/// </summary>
internal sealed class SwfRequestSigner : IDisposable
{
    internal const string Service = "swf";
    internal const string TargetPrefix = "SimpleWorkflowService.";
    internal const string ContentType = "application/x-amz-json-1.0";

    private static readonly MediaTypeHeaderValue JsonContentType = new(ContentType);

    private readonly Uri _endpoint;
    private readonly RegionEndpoint _region;
    private readonly AWSCredentials? _credentials;
    private readonly TimeProvider _clock;
    private DefaultAWSCredentialsIdentityResolver? _defaultChain;

    public SwfRequestSigner(Uri endpoint, RegionEndpoint region, AWSCredentials? credentials, TimeProvider clock)
    {
        _endpoint = endpoint;
        _region = region;
        _credentials = credentials;
        _clock = clock;
    }

    public Uri Endpoint => _endpoint;

    public async Task<HttpRequestMessage> CreateAsync(string operation, byte[] body, CancellationToken cancellationToken)
    {
        var credentials = _credentials ?? await ResolveDefaultAsync(cancellationToken).ConfigureAwait(false);
        string target = TargetPrefix + operation;

        var toSign = new AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = _endpoint, Content = body };
        toSign.Headers["Content-Type"] = ContentType;
        toSign.Headers["X-Amz-Target"] = target;
        var parameters = new AWSSigV4Parameters
        {
            Credentials = credentials,
            Region = _region,
            Service = Service,
            // Our own clock rather than the SDK's, so tests can fix the date and reproduce signatures.
            SignedAt = _clock.GetUtcNow().UtcDateTime,
        };
        var signed = await AWSSigV4Signer.SignAsync(toSign, parameters, cancellationToken).ConfigureAwait(false);

        var request = new HttpRequestMessage(HttpMethod.Post, _endpoint)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = JsonContentType } },
        };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        foreach (var (name, value) in signed.Headers)
            request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    private async Task<AWSCredentials> ResolveDefaultAsync(CancellationToken cancellationToken)
    {
        // Lazily, so that constructing a client never probes the environment or instance metadata.
        var chain = Volatile.Read(ref _defaultChain);
        if (chain is null)
        {
            var created = new DefaultAWSCredentialsIdentityResolver();
            chain = Interlocked.CompareExchange(ref _defaultChain, created, null) ?? created;
            if (!ReferenceEquals(chain, created))
                created.Dispose();
        }
        // The resolver caches what it finds and notices changed profile files.
        return await chain.ResolveIdentityAsync(null, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => Interlocked.Exchange(ref _defaultChain, null)?.Dispose();
}
