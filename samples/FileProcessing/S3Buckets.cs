using System.Diagnostics.CodeAnalysis;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace FileProcessing;

/// <summary>Where s3:// buckets live: Amazon S3, or an S3-compatible endpoint (moto, MinIO, LocalStack).
/// The sample program and FileProcessing.Worker both read it from their options.</summary>
/// <param name="ServiceUrl">An S3-compatible endpoint; null for Amazon S3.</param>
/// <param name="Region">The signing region; null for the SDK's default (AWS_REGION, the profile).</param>
public sealed record S3Settings(Uri? ServiceUrl = null, string? Region = null)
{
    /// <summary>--s3-endpoint, else AWS_ENDPOINT_URL_S3 (the SDK's own variable, read here so that a custom
    /// endpoint also gets path-style addressing).</summary>
    public static S3Settings From(Uri? endpoint, string? region)
    {
        if (endpoint is null && Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3") is { Length: > 0 } fromEnvironment
            && Uri.TryCreate(fromEnvironment, UriKind.Absolute, out var parsed))
            endpoint = parsed;
        return new S3Settings(endpoint, region);
    }

    internal AmazonS3Client CreateClient()
    {
        var config = new AmazonS3Config();
        if (ServiceUrl is not null)
        {
            config.ServiceURL = ServiceUrl.ToString();
            // Virtual-hosted addressing (bucket.host) needs DNS that a local endpoint does not have.
            config.ForcePathStyle = true;
            config.AuthenticationRegion = Region ?? Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1";
            // A local endpoint takes any credentials; the default chain is used when the environment has some.
            if (Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is null)
                return new AmazonS3Client(new BasicAWSCredentials("flow", "flow"), config);
        }
        else if (Region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(Region);
        }
        return new AmazonS3Client(config);
    }
}

/// <summary>s3://bucket/prefix, split.</summary>
internal readonly record struct S3Location(string Bucket, string Prefix)
{
    public const string Scheme = "s3://";

    public static bool IsS3(string bucket) => bucket.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses s3://bucket[/prefix]; the error says what is wrong with the name.</summary>
    public static bool TryParse(string text, out S3Location location, [NotNullWhen(false)] out string? error)
    {
        location = default;
        if (!IsS3(text))
        {
            error = $"{text} is not an s3:// location";
            return false;
        }
        var rest = text[Scheme.Length..];
        var slash = rest.IndexOf('/');
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        // S3's rules for bucket names: 3 to 63 characters, lower-case letters, digits, dots and hyphens,
        // starting and ending with a letter or digit.
        if (bucket.Length is < 3 or > 63
            || !bucket.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-')
            || !char.IsAsciiLetterOrDigit(bucket[0]) || !char.IsAsciiLetterOrDigit(bucket[^1]))
        {
            error = $"'{bucket}' in {text} is not a valid S3 bucket name (3 to 63 lower-case letters, digits, dots and hyphens)";
            return false;
        }
        location = new S3Location(bucket, prefix);
        error = null;
        return true;
    }

    public string Key(string name) => Prefix.Length == 0 ? name : Prefix + "/" + name;

    public string Uri(string name) => Scheme + Bucket + "/" + Key(name);
}

/// <summary>Puts files into S3 buckets. One client for the worker's life, made on first use, so a worker that
/// only ever sees local buckets needs no S3 configuration.</summary>
public sealed class S3Uploads(S3Settings settings) : IDisposable
{
    private readonly Lazy<AmazonS3Client> _client = new(settings.CreateClient);

    public S3Settings Settings => settings;

    /// <summary>Uploads one file and returns its s3:// address. PutObject replaces the whole object or nothing,
    /// so a retried upload never leaves a half-written object.</summary>
    internal async Task<string> PutAsync(S3Location location, string file, string contentType, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(file);
        await _client.Value.PutObjectAsync(new PutObjectRequest
        {
            BucketName = location.Bucket,
            Key = location.Key(name),
            FilePath = file,
            ContentType = contentType,
        }, cancellationToken);
        return location.Uri(name);
    }

    public void Dispose()
    {
        if (_client.IsValueCreated)
            _client.Value.Dispose();
    }
}
