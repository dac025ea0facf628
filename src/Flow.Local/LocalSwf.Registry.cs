using System.Runtime.InteropServices;
using Flow.Swf;

namespace Flow.Local;

// Domains, activity and workflow types, and domain tags.
public sealed partial class LocalSwf
{
    internal void RegisterDomain(RegisterDomainInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        if (RetentionDays(input.WorkflowExecutionRetentionPeriodInDays) is null)
            throw Faults.Validation($"Invalid retention period '{input.WorkflowExecutionRetentionPeriodInDays}': 0 to 90 days, or NONE.");
        if (_domains.ContainsKey(input.Name))
            throw Faults.DomainAlreadyExists(input.Name);
        if (_domains.Count >= DomainLimit)
            throw Faults.LimitExceeded($"SWF allows {DomainLimit} domains, registered and deprecated (domains cannot be deleted; start flow dev on a new --db).");
        var tags = MergeTags([], input.Tags);
        if (tags.Count > 50)
            throw Faults.TooManyTags("A domain may have at most 50 tags.");
        var d = new DomainState
        {
            Name = input.Name,
            Description = input.Description,
            RetentionPeriodInDays = input.WorkflowExecutionRetentionPeriodInDays,
            Status = RegistrationStatus.Registered,
            Arn = $"arn:aws:swf:{_options.Region}:{_options.AccountId}:/domain/{input.Name}",
            Tags = tags,
            CreationDate = Now(),
        };
        _domains[d.Name] = d;
        _changes.Domains.Add(d);
    });

    /// <summary>A domain's retention period in days: 0 to 90, where NONE (like 0) keeps nothing once an execution closes.</summary>
    static int? RetentionDays(string value) =>
        value == "NONE" ? 0
        : int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days) && days <= 90 ? days
        : null;

    internal DomainDetail DescribeDomain(DescribeDomainInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var d = Domain(input.Name, mustBeRegistered: false);
        return new DomainDetail
        {
            DomainInfo = Info(d),
            Configuration = new DomainConfiguration { WorkflowExecutionRetentionPeriodInDays = d.RetentionPeriodInDays },
        };
    });

    static DomainInfo Info(DomainState d) => new() { Name = d.Name, Status = d.Status, Description = d.Description, Arn = d.Arn };

    internal DomainInfos ListDomains(ListDomainsInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var query = input.WithNextPageToken(null);
        query.MaximumPageSize = null;
        var (page, next) = Page(_domains.Values.Where(d => d.Status == input.RegistrationStatus), static d => new PageKey(0, d.Name, ""),
            false, Info, input.NextPageToken, input.MaximumPageSize, input.ReverseOrder, nameof(ListDomains),
            QueryOf(query, SwfJsonContext.Default.ListDomainsInput));
        return new DomainInfos { Items = page, NextPageToken = next };
    });

    internal void DeprecateDomain(DeprecateDomainInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var d = Domain(input.Name, mustBeRegistered: false);
        if (d.Status == RegistrationStatus.Deprecated)
            throw Faults.DomainDeprecated($"Domain already deprecated: {input.Name}");
        d.Status = RegistrationStatus.Deprecated;
        _changes.Domains.Add(d);
    });

    internal void UndeprecateDomain(UndeprecateDomainInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var d = Domain(input.Name, mustBeRegistered: false);
        if (d.Status == RegistrationStatus.Registered)
            throw Faults.DomainAlreadyExists($"Domain is not deprecated: {input.Name}");
        d.Status = RegistrationStatus.Registered;
        _changes.Domains.Add(d);
    });

    DomainState DomainByArn(string arn) =>
        _domains.Values.FirstOrDefault(d => d.Arn == arn) ?? throw Faults.UnknownResource($"Unknown resource: {arn}");

    internal void TagResource(TagResourceInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var d = DomainByArn(input.ResourceArn);
        var tags = MergeTags(d.Tags, input.Tags);
        if (tags.Count > 50)
            throw Faults.TooManyTags("A domain may have at most 50 tags.");
        d.Tags = tags;
        _changes.Domains.Add(d);
    });

    /// <summary>A domain's tags with <paramref name="added"/> applied: one tag per key, in the order keys first
    /// appeared. SWF's reference (API and botocore model) says nothing of a key given twice; every path that takes
    /// tags (RegisterDomain, TagResource, and stores loaded from older versions that kept duplicates) applies the
    /// same rule: the last value given for a key wins.</summary>
    internal static List<ResourceTag> MergeTags(IEnumerable<ResourceTag> existing, IEnumerable<ResourceTag>? added)
    {
        var tags = new List<ResourceTag>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in added is null ? existing : existing.Concat(added))
        {
            if (index.TryGetValue(t.Key, out var i))
                tags[i] = t;
            else
            {
                index[t.Key] = tags.Count;
                tags.Add(t);
            }
        }
        return tags;
    }

    internal void UntagResource(UntagResourceInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var d = DomainByArn(input.ResourceArn);
        d.Tags.RemoveAll(t => input.TagKeys.Contains(t.Key));
        _changes.Domains.Add(d);
    });

    internal ListTagsForResourceOutput ListTagsForResource(ListTagsForResourceInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var d = DomainByArn(input.ResourceArn);
        return new ListTagsForResourceOutput { Tags = [.. d.Tags.Select(t => new ResourceTag { Key = t.Key, Value = t.Value })] };
    });

    // ---- types ----

    internal void RegisterActivityType(RegisterActivityTypeInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        CheckDuration(input.DefaultTaskStartToCloseTimeout, "defaultTaskStartToCloseTimeout");
        CheckDuration(input.DefaultTaskHeartbeatTimeout, "defaultTaskHeartbeatTimeout");
        CheckDuration(input.DefaultTaskScheduleToStartTimeout, "defaultTaskScheduleToStartTimeout");
        CheckDuration(input.DefaultTaskScheduleToCloseTimeout, "defaultTaskScheduleToCloseTimeout");
        Domain(input.Domain);
        if (FindType(input.Domain, "a", input.Name, input.Version) is not null)
            throw Faults.TypeAlreadyExists($"ActivityType=[name={input.Name}, version={input.Version}]");
        AddType(new TypeState
        {
            Domain = input.Domain, Kind = "a", Name = input.Name, Version = input.Version, Description = input.Description,
            Status = RegistrationStatus.Registered, CreationDate = Now(),
            Activity = new ActivityTypeConfiguration
            {
                DefaultTaskStartToCloseTimeout = input.DefaultTaskStartToCloseTimeout,
                DefaultTaskHeartbeatTimeout = input.DefaultTaskHeartbeatTimeout,
                DefaultTaskList = input.DefaultTaskList is { } tl ? new TaskList { Name = tl.Name } : null,
                DefaultTaskPriority = input.DefaultTaskPriority,
                DefaultTaskScheduleToStartTimeout = input.DefaultTaskScheduleToStartTimeout,
                DefaultTaskScheduleToCloseTimeout = input.DefaultTaskScheduleToCloseTimeout,
            },
        });
    });

    internal void RegisterWorkflowType(RegisterWorkflowTypeInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        CheckDuration(input.DefaultTaskStartToCloseTimeout, "defaultTaskStartToCloseTimeout");
        if (input.DefaultExecutionStartToCloseTimeout is { } esc)
            CheckExecutionTimeout(esc, "defaultExecutionStartToCloseTimeout");
        Domain(input.Domain);
        if (FindType(input.Domain, "w", input.Name, input.Version) is not null)
            throw Faults.TypeAlreadyExists($"WorkflowType=[name={input.Name}, version={input.Version}]");
        AddType(new TypeState
        {
            Domain = input.Domain, Kind = "w", Name = input.Name, Version = input.Version, Description = input.Description,
            Status = RegistrationStatus.Registered, CreationDate = Now(),
            Workflow = new WorkflowTypeConfiguration
            {
                DefaultTaskStartToCloseTimeout = input.DefaultTaskStartToCloseTimeout,
                DefaultExecutionStartToCloseTimeout = input.DefaultExecutionStartToCloseTimeout,
                DefaultTaskList = input.DefaultTaskList is { } tl ? new TaskList { Name = tl.Name } : null,
                DefaultTaskPriority = input.DefaultTaskPriority,
                DefaultChildPolicy = input.DefaultChildPolicy,
                DefaultLambdaRole = input.DefaultLambdaRole,
            },
        });
    });

    void AddType(TypeState t)
    {
        ref var count = ref CollectionsMarshal.GetValueRefOrAddDefault(_typeCounts, (t.Domain, t.Kind), out _);
        if (count >= TypeLimit)
            throw Faults.LimitExceeded($"SWF allows {TypeLimit} {(t.Kind == "a" ? "activity" : "workflow")} types per domain, registered and deprecated.");
        count++;
        _types[(t.Domain, t.Kind, t.Name, t.Version)] = t;
        _changes.Types.Add(t);
    }

    TypeState Type(string domain, string kind, string name, string version)
    {
        Domain(domain, mustBeRegistered: false);
        return FindType(domain, kind, name, version)
            ?? throw Faults.UnknownResource(kind == "a"
                ? $"Unknown type: ActivityType=[name={name}, version={version}]"
                : $"Unknown type: WorkflowType=[name={name}, version={version}]");
    }

    static string Describe(TypeState t) => t.Kind == "a"
        ? $"ActivityType=[name={t.Name}, version={t.Version}]"
        : $"WorkflowType=[name={t.Name}, version={t.Version}]";

    internal ActivityTypeDetail DescribeActivityType(DescribeActivityTypeInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var t = Type(input.Domain, "a", input.ActivityType.Name, input.ActivityType.Version);
        return new ActivityTypeDetail { TypeInfo = ActivityInfo(t), Configuration = t.Activity! };
    });

    internal WorkflowTypeDetail DescribeWorkflowType(DescribeWorkflowTypeInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var t = Type(input.Domain, "w", input.WorkflowType.Name, input.WorkflowType.Version);
        return new WorkflowTypeDetail { TypeInfo = WorkflowInfo(t), Configuration = t.Workflow! };
    });

    static ActivityTypeInfo ActivityInfo(TypeState t) => new()
    {
        ActivityType = new ActivityType { Name = t.Name, Version = t.Version },
        Status = t.Status, Description = t.Description, CreationDate = t.CreationDate, DeprecationDate = t.DeprecationDate,
    };

    static WorkflowTypeInfo WorkflowInfo(TypeState t) => new()
    {
        WorkflowType = new WorkflowType { Name = t.Name, Version = t.Version },
        Status = t.Status, Description = t.Description, CreationDate = t.CreationDate, DeprecationDate = t.DeprecationDate,
    };

    IEnumerable<TypeState> TypesOf(string domain, string kind, string? name, RegistrationStatus status)
    {
        Domain(domain, mustBeRegistered: false);
        return _types.Values.Where(t => t.Domain == domain && t.Kind == kind && t.Status == status && (name is null || t.Name == name));
    }

    static PageKey TypeKey(TypeState t) => new(0, t.Name, t.Version);

    internal ActivityTypeInfos ListActivityTypes(ListActivityTypesInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var matching = TypesOf(input.Domain, "a", input.Name, input.RegistrationStatus);
        var query = input.WithNextPageToken(null);
        query.MaximumPageSize = null;
        var (page, next) = Page(matching, TypeKey, false, ActivityInfo, input.NextPageToken, input.MaximumPageSize, input.ReverseOrder,
            nameof(ListActivityTypes), QueryOf(query, SwfJsonContext.Default.ListActivityTypesInput));
        return new ActivityTypeInfos { TypeInfos = page, NextPageToken = next };
    });

    internal WorkflowTypeInfos ListWorkflowTypes(ListWorkflowTypesInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        var matching = TypesOf(input.Domain, "w", input.Name, input.RegistrationStatus);
        var query = input.WithNextPageToken(null);
        query.MaximumPageSize = null;
        var (page, next) = Page(matching, TypeKey, false, WorkflowInfo, input.NextPageToken, input.MaximumPageSize, input.ReverseOrder,
            nameof(ListWorkflowTypes), QueryOf(query, SwfJsonContext.Default.ListWorkflowTypesInput));
        return new WorkflowTypeInfos { TypeInfos = page, NextPageToken = next };
    });

    void Deprecate(string domain, string kind, string name, string version)
    {
        var t = Type(domain, kind, name, version);
        if (t.Status == RegistrationStatus.Deprecated)
            throw Faults.TypeDeprecated(Describe(t));
        t.Status = RegistrationStatus.Deprecated;
        t.DeprecationDate = Now();
        _changes.Types.Add(t);
    }

    void Undeprecate(string domain, string kind, string name, string version)
    {
        var t = Type(domain, kind, name, version);
        if (t.Status == RegistrationStatus.Registered)
            throw Faults.TypeAlreadyExists(Describe(t));
        t.Status = RegistrationStatus.Registered;
        t.DeprecationDate = null;
        _changes.Types.Add(t);
    }

    void Delete(string domain, string kind, string name, string version)
    {
        var t = Type(domain, kind, name, version);
        if (t.Status != RegistrationStatus.Deprecated)
            throw Faults.TypeNotDeprecated(Describe(t));
        _types.Remove((t.Domain, t.Kind, t.Name, t.Version));
        _typeCounts[(t.Domain, t.Kind)]--;
        _changes.DeletedTypes.Add(t);
    }

    internal void DeprecateActivityType(DeprecateActivityTypeInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        Deprecate(input.Domain, "a", input.ActivityType.Name, input.ActivityType.Version);
    });

    internal void UndeprecateActivityType(UndeprecateActivityTypeInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        Undeprecate(input.Domain, "a", input.ActivityType.Name, input.ActivityType.Version);
    });

    internal void DeleteActivityType(DeleteActivityTypeInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        Delete(input.Domain, "a", input.ActivityType.Name, input.ActivityType.Version);
    });

    internal void DeprecateWorkflowType(DeprecateWorkflowTypeInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        Deprecate(input.Domain, "w", input.WorkflowType.Name, input.WorkflowType.Version);
    });

    internal void UndeprecateWorkflowType(UndeprecateWorkflowTypeInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        Undeprecate(input.Domain, "w", input.WorkflowType.Name, input.WorkflowType.Version);
    });

    internal void DeleteWorkflowType(DeleteWorkflowTypeInput input) => Execute(() =>
    {
        Faults.Validate(() => input.Validate(""));
        Delete(input.Domain, "w", input.WorkflowType.Name, input.WorkflowType.Version);
    });

    // ---- paging of lists: the token is the sort key of the last item returned, signed for its operation and query ----

    /// <summary>What a list request asks, apart from its page token and size: a page token is good only for the
    /// same question (SWF: "keep all other arguments unchanged").</summary>
    static string QueryOf<T>(T query, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(query, info)), 0, 16);

    /// <summary>Where an item sorts in a list: a time (executions; 0 for domains and types), then two names (a domain's
    /// name; a type's name and version; an execution's run id), so no two items of one list have the same key.</summary>
    internal readonly record struct PageKey(long Time, string Name, string Version) : IComparable<PageKey>
    {
        public int CompareTo(PageKey other)
        {
            var c = Time.CompareTo(other.Time);
            if (c == 0)
                c = string.CompareOrdinal(Name, other.Name);
            return c != 0 ? c : string.CompareOrdinal(Version, other.Version);
        }
    }

    /// <summary>One page of the items that match a list request, ordered by <paramref name="key"/> (newest first when
    /// <paramref name="descending"/>; <paramref name="reverseOrder"/> flips it). The next page starts after the last
    /// item returned, found by its key, not at a position: items added or gone between pages (a start, a close, a
    /// deprecation) neither repeat an item nor skip one that still matches.</summary>
    (List<TOut> Page, string? Next) Page<T, TOut>(IEnumerable<T> matching, Func<T, PageKey> key, bool descending, Func<T, TOut> project,
        string? token, int? maximumPageSize, bool? reverseOrder, string operation, string query)
    {
        var sign = descending != (reverseOrder == true) ? -1 : 1;
        var order = Comparer<PageKey>.Create((x, y) => sign * x.CompareTo(y));
        if (token is not null)
        {
            if (ReadToken(token, operation, query) is not ["k", var time, var name, var version] || !long.TryParse(time, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var t)
                || FromBase64(name) is not { } n || FromBase64(version) is not { } v)
                throw Faults.Validation("Invalid nextPageToken: it was not given by this operation for this query.");
            var after = new PageKey(t, n, v);
            matching = matching.Where(i => order.Compare(key(i), after) > 0);
        }
        var size = maximumPageSize is null or 0 ? 1000 : maximumPageSize.Value;
        // One more than a page tells whether there is a next one; OrderBy then Take sorts only that many.
        var items = matching.OrderBy(key, order).Take(size + 1).ToList();
        string? next = null;
        if (items.Count > size)
        {
            items.RemoveAt(size);
            var last = key(items[^1]);
            next = Token(["k", Number(last.Time), ToBase64(last.Name), ToBase64(last.Version)], operation, query);
        }
        return (items.ConvertAll(i => project(i)), next);

        static string ToBase64(string s) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(s));

        static string? FromBase64(string s)
        {
            try
            {
                return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(s));
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }
}
