using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Flow.Cli.Dev;

/// <summary>
/// Checks an AWS Signature Version 4 <c>Authorization</c> header the way the service does: rebuild the
/// canonical request from what arrived, derive the signing key from the secret and the credential
/// scope (date/region/service), and compare signatures in constant time. The region is whatever the
/// client signed for; the service must be <c>swf</c>. Timestamps more than five minutes away from the
/// server's clock are rejected, as AWS does.
/// </summary>
internal sealed class SigV4Verifier(string accessKey, string secretKey, TimeProvider time)
{
    private const string Algorithm = "AWS4-HMAC-SHA256";
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

    /// <summary>The parts of a request the signature covers.</summary>
    internal interface IRequest
    {
        string Method { get; }

        /// <summary>The path as it arrived on the request line (still percent-encoded).</summary>
        string RawPath { get; }

        /// <summary>The query without its '?', still percent-encoded; empty when absent.</summary>
        string RawQuery { get; }

        /// <summary>Every value of a header (case-insensitive name); empty when absent.</summary>
        IReadOnlyList<string> Header(string name);
    }

    /// <summary>Null when the signature is good; otherwise the error to answer with.</summary>
    public HttpFault? Verify(IRequest request, ReadOnlySpan<byte> body)
    {
        var authorizations = request.Header("authorization");
        if (authorizations.Count == 0)
            return HttpFault.MissingAuthenticationToken("Missing Authentication Token");
        string authorization = authorizations[0];
        if (!authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
            return HttpFault.IncompleteSignature(
                $"Authorization header requires the {Algorithm} algorithm. Authorization={authorization}");

        string? credential = null, signedHeaders = null, signature = null;
        foreach (string part in authorization[(Algorithm.Length + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0)
                return HttpFault.IncompleteSignature($"Authorization header element '{part}' is not a key=value pair.");
            string value = part[(eq + 1)..];
            switch (part[..eq])
            {
                case "Credential": credential = value; break;
                case "SignedHeaders": signedHeaders = value; break;
                case "Signature": signature = value; break;
            }
        }
        if (credential is null || signedHeaders is null || signature is null)
        {
            string missing = credential is null ? "Credential" : signedHeaders is null ? "SignedHeaders" : "Signature";
            return HttpFault.IncompleteSignature($"Authorization header requires '{missing}' parameter. Authorization={authorization}");
        }

        // Credential=AKID/yyyyMMdd/region/service/aws4_request
        string[] scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request" || scope[1].Length != 8)
            return HttpFault.IncompleteSignature(
                $"Credential should be scoped to a valid region, a date, a service and end with aws4_request. Credential={credential}");
        if (!string.Equals(scope[0], accessKey, StringComparison.Ordinal))
            return HttpFault.UnrecognizedClient("The security token included in the request is invalid.");
        if (scope[3] != "swf")
            return HttpFault.InvalidSignature($"Credential should be scoped to correct service: 'swf'. Credential={credential}");

        string? amzDate = First(request, "x-amz-date");
        DateTimeOffset signedAt;
        if (amzDate is not null)
        {
            if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal, out signedAt))
                return HttpFault.IncompleteSignature($"Date must be in ISO-8601 'basic format'. Got '{amzDate}'.");
        }
        else if (First(request, "date") is { } date
                 && DateTimeOffset.TryParse(date, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out signedAt))
        {
            amzDate = signedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        }
        else
        {
            return HttpFault.IncompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        }
        if (!amzDate.StartsWith(scope[1], StringComparison.Ordinal))
            return HttpFault.InvalidSignature($"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope[1]}' != '{amzDate[..8]}'.");

        DateTimeOffset now = time.GetUtcNow();
        if (signedAt < now - Skew)
            return HttpFault.InvalidSignature($"Signature expired: {amzDate} is now earlier than {Basic(now - Skew)} ({Basic(now)} - 5 min.)");
        if (signedAt > now + Skew)
            return HttpFault.InvalidSignature($"Signature not yet current: {amzDate} is still later than {Basic(now + Skew)} ({Basic(now)} + 5 min.)");

        string[] headerNames = signedHeaders.Split(';');
        if (Array.IndexOf(headerNames, "host") < 0)
            return HttpFault.InvalidSignature("'Host' must be a 'SignedHeader' in the AWS Authorization.");

        string canonicalRequest = CanonicalRequest(request, headerNames, signedHeaders, body);
        string stringToSign = string.Join('\n', Algorithm, amzDate, string.Join('/', scope, 1, 4), Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));
        byte[] key = SigningKey(secretKey, scope[1], scope[2], scope[3]);
        string expected = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));

        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
            return HttpFault.InvalidSignature(
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
        return null;
    }

    internal static byte[] SigningKey(string secret, string date, string region, string service)
    {
        byte[] k = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        k = HMACSHA256.HashData(k, Encoding.UTF8.GetBytes(region));
        k = HMACSHA256.HashData(k, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(k, "aws4_request"u8);
    }

    internal static string CanonicalRequest(IRequest request, string[] headerNames, string signedHeaders, ReadOnlySpan<byte> body)
    {
        var sb = new StringBuilder(256);
        sb.Append(request.Method).Append('\n');
        sb.Append(CanonicalPath(request.RawPath)).Append('\n');
        sb.Append(CanonicalQuery(request.RawQuery)).Append('\n');
        foreach (string name in headerNames)
        {
            sb.Append(name).Append(':');
            var values = request.Header(name);
            for (int i = 0; i < values.Count; i++)
            {
                if (i > 0) sb.Append(',');
                AppendTrimmed(sb, values[i]);
            }
            sb.Append('\n');
        }
        sb.Append('\n').Append(signedHeaders).Append('\n');
        sb.Append(Hex(SHA256.HashData(body)));
        return sb.ToString();
    }

    /// <summary>Each segment of the (already encoded) path encoded once more, as SigV4 asks of every
    /// service but S3; "." and ".." removed, as clients normalize before signing.</summary>
    private static string CanonicalPath(string rawPath)
    {
        if (rawPath.Length == 0 || rawPath == "/")
            return "/";
        var segments = new List<string>();
        foreach (string segment in rawPath.Split('/'))
        {
            if (segment is "" or ".") continue;
            if (segment == "..") { if (segments.Count > 0) segments.RemoveAt(segments.Count - 1); continue; }
            segments.Add(Uri.EscapeDataString(segment));
        }
        string path = "/" + string.Join('/', segments);
        return rawPath.EndsWith('/') && segments.Count > 0 ? path + "/" : path;
    }

    private static string CanonicalQuery(string rawQuery)
    {
        if (rawQuery.Length == 0)
            return "";
        var pairs = new List<(string Key, string Value)>();
        foreach (string pair in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            string k = eq < 0 ? pair : pair[..eq], v = eq < 0 ? "" : pair[(eq + 1)..];
            pairs.Add((Uri.EscapeDataString(Uri.UnescapeDataString(k)), Uri.EscapeDataString(Uri.UnescapeDataString(v))));
        }
        pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key) is var c && c != 0 ? c : string.CompareOrdinal(a.Value, b.Value));
        return string.Join('&', pairs.Select(p => p.Key + "=" + p.Value));
    }

    private static void AppendTrimmed(StringBuilder sb, string value)
    {
        // Leading/trailing spaces dropped, inner runs of spaces collapsed to one.
        bool space = false, started = false;
        foreach (char c in value)
        {
            if (c is ' ' or '\t')
            {
                space = started;
                continue;
            }
            if (space) sb.Append(' ');
            sb.Append(c);
            space = false;
            started = true;
        }
    }

    private static string? First(IRequest request, string name) => request.Header(name) is { Count: > 0 } v ? v[0] : null;

    private static string Basic(DateTimeOffset t) => t.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
