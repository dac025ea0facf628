using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Flow.Generators.Analyzers;
using Microsoft.CodeAnalysis;

namespace Flow.Generators;

/// <summary>Turns a contract interface into a <see cref="ContractModel"/>. Members whose shape is invalid are left
/// out: the analyzers report them, and the generator never reports what they already do.</summary>
internal static class ContractParser
{
    public const string ActivitiesAttribute = "Flow.ActivitiesAttribute";
    public const string WorkflowAttribute = "Flow.WorkflowAttribute";
    public const string FlowJsonContextAttribute = "Flow.FlowJsonContextAttribute";
    private const string ActivityAttribute = "Flow.ActivityAttribute";
    private const string ExecuteAttribute = "Flow.ExecuteAttribute";
    private const string SignalAttribute = "Flow.SignalAttribute";
    private const string GetStateAttribute = "Flow.GetStateAttribute";
    private const string JsonSerializableAttribute = "System.Text.Json.Serialization.JsonSerializableAttribute";

    public static ContractModel? Parse(GeneratorAttributeSyntaxContext context, ContractKind kind, CancellationToken cancellationToken)
    {
        // Generic contracts (or contracts in generic types) and static abstract members cannot be implemented or
        // used as type arguments; the analyzers report them (FLOW003, FLOW012, FLOW029).
        if (context.TargetSymbol is not INamedTypeSymbol { TypeKind: TypeKind.Interface, IsGenericType: false } type
            || context.Attributes.Length == 0
            || type.GetMembers().Concat(type.AllInterfaces.SelectMany(i => i.GetMembers())).Any(m => m.IsStatic && m.IsAbstract))
        {
            return null;
        }

        var implemented = new HashSet<ISymbol>(SymbolEqualityComparer.Default);

        var attribute = context.Attributes[0];
        var types = new JsonTypeCollector(context.SemanticModel.Compilation);
        var baseName = SwfRules.ContractBaseName(type.Name);
        var members = new List<MethodModel>();

        // Overloads share a name that generated members and SWF types take from it (FLOW013): they are left out.
        var overloaded = new HashSet<string>(type.GetMembers().OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary)
            .GroupBy(m => m.Name).Where(g => g.Count() > 1).Select(g => g.Key));

        if (kind == ContractKind.Activities)
        {
            var prefix = Named(attribute, "NamePrefix") ?? baseName;
            foreach (var method in Methods(type).Where(m => !overloaded.Contains(m.Name)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var activity = Find(method, ActivityAttribute);
                var model = Method(method, MemberKind.Activity, types, type.Name);
                if (model is null)
                {
                    continue;
                }

                implemented.Add(method);
                members.Add(model with
                {
                    SwfName = Named(activity, "Name") ?? SwfRules.DefaultActivityName(prefix, method.Name),
                    Version = Named(activity, "Version"),
                    TaskList = Named(activity, "TaskList"),
                    ScheduleToStart = Timeout(activity, "ScheduleToStart"),
                    StartToClose = Timeout(activity, "StartToClose"),
                    ScheduleToClose = Timeout(activity, "ScheduleToClose"),
                    Heartbeat = Timeout(activity, "Heartbeat"),
                    Description = Named(activity, "Description"),
                    ManualCompletion = activity?.NamedArguments.FirstOrDefault(a => a.Key == "ManualCompletion").Value.Value is true,
                });
            }
        }
        else
        {
            // Signals that share a name (FLOW026, or FLOW021 when SWF would reject it) cannot be told apart when one
            // arrives: all of them are left out, which also keeps the generated switch free of duplicate cases.
            var sharedSignalNames = new HashSet<string>(type.GetMembers().OfType<IMethodSymbol>()
                .Where(m => m.MethodKind == MethodKind.Ordinary && !overloaded.Contains(m.Name))
                .Select(m => Find(m, SignalAttribute) is { } signal ? SignalName(signal, m) : null)
                .Where(n => n is not null)
                .GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key!));
            foreach (var member in type.GetMembers())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
                {
                    if (overloaded.Contains(method.Name))
                    {
                        continue;
                    }

                    if (Find(method, ExecuteAttribute) is not null && !members.Any(m => m.Kind == MemberKind.Execute))
                    {
                        var model = Method(method, MemberKind.Execute, types, type.Name);
                        if (model is not null)
                        {
                            implemented.Add(method);
                            members.Add(model);
                        }
                    }
                    else if (Find(method, SignalAttribute) is { } signal && !sharedSignalNames.Contains(SignalName(signal, method)))
                    {
                        var model = Method(method, MemberKind.Signal, types, type.Name);
                        if (model is not null)
                        {
                            implemented.Add(method);
                            members.Add(model with { SwfName = SignalName(signal, method) });
                        }
                    }
                    else if (Find(method, GetStateAttribute) is not null && method.Parameters.Length == 0 && !members.Any(m => m.Kind == MemberKind.GetState))
                    {
                        var model = Method(method, MemberKind.GetState, types, type.Name);
                        if (model is not null)
                        {
                            implemented.Add(method);
                            members.Add(model);
                        }
                    }
                }
                else if (member is IPropertySymbol { IsIndexer: false, GetMethod: not null, SetMethod: null } property
                    && Payloadable(property.Type)
                    && !IsTaskLike(property.Type)
                    && Find(property, GetStateAttribute) is not null
                    && !members.Any(m => m.Kind == MemberKind.GetState))
                {
                    types.Add(property.Type, $"{type.Name}.{property.Name}", property.Locations.FirstOrDefault());
                    implemented.Add(property);
                    members.Add(new MethodModel(MemberKind.GetState, property.Name, property.Name, EquatableArray<ParameterModel>.Empty,
                        ReturnKind.Value, Names.Display(property.Type, Names.Annotated), IsProperty: true));
                }
            }
        }

        // Code whose names collide cannot compile; FLOW030, FLOW031 or FLOW032 is then the only error the user sees.
        var collisions = kind == ContractKind.Activities
            ? GeneratedNames.Activities(baseName, members.Select(m => m.Name).ToList())
            : GeneratedNames.Workflow(baseName, members.Select(m => m.Name).ToList(), members.Where(m => m.Kind == MemberKind.Signal).Select(m => m.Name).ToList());
        if (collisions.Any() || SharesGeneratedTypeNames(type, kind, baseName)
            || GeneratedNames.TakenTypeNames(type, kind == ContractKind.Workflow, cancellationToken).Any())
        {
            return null;
        }

        var ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(Names.Namespace);
        var contract = new ContractModel(kind, ns, ContainingTypes(type), type.Name, baseName, Names.Accessibility(type.DeclaredAccessibility), members.ToEquatableArray())
        {
            FullName = Names.Display(type, Names.Plain),
            Scope = Names.Scope(type),
            Unsupported = Stubs(type, implemented),
            Version = Named(attribute, "Version") ?? SwfRules.DefaultVersion,
            TaskList = Named(attribute, "TaskList"),
            Description = Named(attribute, "Description"),
            JsonTypes = types.ToArray(),
        };

        if (kind == ContractKind.Activities)
        {
            return contract with
            {
                TaskPriority = attribute.NamedArguments.FirstOrDefault(a => a.Key == "TaskPriority").Value.Value as int? ?? 0,
                ScheduleToStart = Timeout(attribute, "ScheduleToStart"),
                StartToClose = Timeout(attribute, "StartToClose"),
                ScheduleToClose = Timeout(attribute, "ScheduleToClose"),
                Heartbeat = Timeout(attribute, "Heartbeat"),
            };
        }

        var execute = members.FirstOrDefault(m => m.Kind == MemberKind.Execute);
        return contract with
        {
            WorkflowName = Named(attribute, "Name") ?? (execute is null ? null : SwfRules.DefaultWorkflowName(type.Name, execute.Name)),
            ExecutionStartToClose = Timeout(attribute, "ExecutionStartToClose", allowNone: false, SwfRules.MaxExecutionSeconds),
            TaskStartToClose = Timeout(attribute, "TaskStartToClose"),
            ChildPolicy = SwfRules.ChildPolicyMember(Named(attribute, "ChildPolicy")),
        };
    }

    private static string SignalName(AttributeData signal, IMethodSymbol method) => Named(signal, "Name") ?? SwfRules.DefaultSignalName(method.Name);

    /// <summary>A timeout as SWF's seconds when the analyzers accept it; otherwise none (FLOW024 says why).</summary>
    private static string? Timeout(AttributeData? attribute, string name, bool allowNone = true, long maxSeconds = SwfRules.MaxDurationSeconds)
        => SwfRules.SwfTimeout(Named(attribute, name), allowNone, maxSeconds);

    /// <summary>The user contexts named by one file's [assembly: FlowJsonContext] attributes, with the types each declares.</summary>
    public static EquatableArray<UserContextModel> ParseUserContexts(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var contexts = new List<UserContextModel>();
        foreach (var attribute in context.Attributes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is INamedTypeSymbol contextType)
            {
                var declared = contextType.GetAttributes()
                    .Where(a => Names.Is(a.AttributeClass, JsonSerializableAttribute))
                    .Select(a => a.ConstructorArguments.Length == 1 && a.ConstructorArguments[0].Value is ITypeSymbol t ? JsonTypeCollector.PlainName(t) : null)
                    .Where(t => t is not null)
                    .Select(t => t!)
                    .OrderBy(t => t, System.StringComparer.Ordinal);
                contexts.Add(new UserContextModel(Names.Display(contextType, Names.Plain), declared.ToEquatableArray()));
            }
        }

        return contexts.ToEquatableArray();
    }

    private static IEnumerable<IMethodSymbol> Methods(INamedTypeSymbol type)
        => type.GetMembers().OfType<IMethodSymbol>().Where(m => m is { MethodKind: MethodKind.Ordinary, IsStatic: false, IsAbstract: true });

    /// <summary>A method's shape, or null when generated code cannot call it (ref/out/in, generic, pointer parameters,
    /// a return its role does not allow). Its payload types are collected only when it is kept, so that a member an
    /// analyzer rejects never adds a FLOW100 of the generator's.</summary>
    private static MethodModel? Method(IMethodSymbol method, MemberKind kind, JsonTypeCollector types, string contractName)
    {
        var (returnKind, resultType) = Return(method.ReturnType);
        var allowed = kind switch
        {
            MemberKind.Activity or MemberKind.Execute => returnKind is ReturnKind.Task or ReturnKind.TaskOfT,
            MemberKind.Signal => returnKind is ReturnKind.Task or ReturnKind.Void,
            _ => returnKind is ReturnKind.Value,
        };
        if (!allowed || method.IsGenericMethod || method.IsStatic
            || method.Parameters.Any(p => p.RefKind != RefKind.None || !Payloadable(p.Type))
            || (method.ReturnType is INamedTypeSymbol { TypeArguments.Length: 1 } task && !Payloadable(task.TypeArguments[0]))
            || (kind == MemberKind.GetState && (!Payloadable(method.ReturnType) || IsTaskLike(method.ReturnType))))
        {
            return null;
        }

        var usedBy = $"{contractName}.{method.Name}";
        var parameters = new List<ParameterModel>();
        foreach (var parameter in method.Parameters)
        {
            var isToken = Names.Is(parameter.Type, "System.Threading.CancellationToken");
            if (!isToken)
            {
                types.Add(parameter.Type, usedBy, parameter.Locations.FirstOrDefault());
            }

            parameters.Add(new ParameterModel(Names.Identifier(parameter.Name), Names.Display(parameter.Type, Names.Annotated), isToken)
            {
                DefaultValue = parameter.HasExplicitDefaultValue ? Names.Constant(parameter.Type, parameter.ExplicitDefaultValue) : null,
                IsParams = parameter.IsParams,
            });
        }

        if (resultType is not null)
        {
            var result = returnKind == ReturnKind.TaskOfT ? ((INamedTypeSymbol)method.ReturnType).TypeArguments[0] : method.ReturnType;
            types.Add(result, usedBy, method.Locations.FirstOrDefault());
        }

        return new MethodModel(kind, method.Name, SwfRules.MethodBaseName(method.Name), parameters.ToEquatableArray(), returnKind, resultType, IsProperty: false);
    }

    /// <summary>False for what can never be a type argument or travel as JSON (FLOW016): pointers, ref structs, delegates.</summary>
    private static bool Payloadable(ITypeSymbol type)
        => type.TypeKind is not (TypeKind.Pointer or TypeKind.FunctionPointer or TypeKind.Delegate) && !type.IsRefLikeType;

    private static bool SharesGeneratedTypeNames(INamedTypeSymbol type, ContractKind kind, string baseName)
    {
        var mine = GeneratedNames.TypeNames(baseName, kind == ContractKind.Workflow).ToList();
        var siblings = type.ContainingType is { } outer ? outer.GetTypeMembers() : type.ContainingNamespace.GetTypeMembers();
        foreach (var sibling in siblings)
        {
            if (sibling.TypeKind != TypeKind.Interface || SymbolEqualityComparer.Default.Equals(sibling, type))
            {
                continue;
            }

            var isWorkflow = Find(sibling, WorkflowAttribute) is not null;
            if ((isWorkflow || Find(sibling, ActivitiesAttribute) is not null)
                && GeneratedNames.TypeNames(SwfRules.ContractBaseName(sibling.Name), isWorkflow).Any(mine.Contains))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsTaskLike(ITypeSymbol type)
        => Names.Is(type.OriginalDefinition, "System.Threading.Tasks.Task") || Names.Is(type.OriginalDefinition, "System.Threading.Tasks.ValueTask");

    /// <summary>Declarations of the types that contain <paramref name="type"/>, outermost first.</summary>
    private static EquatableArray<string> ContainingTypes(INamedTypeSymbol type)
    {
        var declarations = new List<string>();
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            var kind = outer.TypeKind switch
            {
                TypeKind.Struct => outer.IsRecord ? "record struct" : "struct",
                TypeKind.Interface => "interface",
                _ => outer.IsRecord ? "record" : "class",
            };
            var modifiers = (outer.IsStatic ? "static " : "") + (outer.IsRefLikeType ? "ref " : "");
            declarations.Insert(0, $"{modifiers}partial {kind} {Names.Identifier(outer.Name)}");
        }

        return declarations.ToEquatableArray();
    }

    /// <summary>Throwing explicit implementations of the abstract members (the contract's own and inherited) that
    /// the generator does not implement.</summary>
    private static EquatableArray<string> Stubs(INamedTypeSymbol type, HashSet<ISymbol> implemented)
    {
        var stubs = new List<string>();
        const string Throw = "=> throw new global::System.NotSupportedException(\"Flow cannot generate this member; see the Flow diagnostic on the contract.\")";
        foreach (var member in type.GetMembers().Concat(type.AllInterfaces.SelectMany(i => i.GetMembers())))
        {
            if (!member.IsAbstract || member.IsStatic || implemented.Contains(member))
            {
                continue;
            }

            var owner = Names.Display(member.ContainingType, Names.Plain);
            switch (member)
            {
                case IMethodSymbol { MethodKind: MethodKind.Ordinary } method:
                    var typeParameters = method.TypeParameters.Length == 0 ? "" : $"<{string.Join(", ", method.TypeParameters.Select(t => Names.Identifier(t.Name)))}>";
                    var unsafeModifier = method.Parameters.Any(p => IsPointer(p.Type)) || IsPointer(method.ReturnType) ? "unsafe " : "";
                    stubs.Add($"{unsafeModifier}{RefPrefix(method.RefKind)}{Names.Display(method.ReturnType, Names.Annotated)} {owner}.{Names.Identifier(method.Name)}{typeParameters}({StubParameters(method.Parameters)}) {Throw};");
                    break;
                case IPropertySymbol property:
                    var name = property.IsIndexer ? $"this[{StubParameters(property.Parameters)}]" : Names.Identifier(property.Name);
                    var accessors = (property.GetMethod is null ? "" : $"get {Throw}; ")
                        + (property.SetMethod is null ? "" : $"{(property.SetMethod.IsInitOnly ? "init" : "set")} {Throw}; ");
                    stubs.Add($"{(IsPointer(property.Type) ? "unsafe " : "")}{RefPrefix(property.RefKind)}{Names.Display(property.Type, Names.Annotated)} {owner}.{name} {{ {accessors}}}");
                    break;
                case IEventSymbol evt:
                    stubs.Add($"event {Names.Display(evt.Type, Names.Annotated)} {owner}.{Names.Identifier(evt.Name)} {{ add {Throw}; remove {Throw}; }}");
                    break;
            }
        }

        return stubs.ToEquatableArray();
    }

    private static bool IsPointer(ITypeSymbol type) => type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer;

    private static string RefPrefix(RefKind kind) => kind switch
    {
        RefKind.Ref => "ref ",
        RefKind.RefReadOnly => "ref readonly ",
        _ => "",
    };

    private static string StubParameters(IEnumerable<IParameterSymbol> parameters)
        => string.Join(", ", parameters.Select(p =>
            (p.IsParams ? "params " : "")
            + p.RefKind switch { RefKind.Ref => "ref ", RefKind.Out => "out ", RefKind.In => "in ", RefKind.RefReadOnlyParameter => "ref readonly ", _ => "" }
            + Names.Display(p.Type, Names.Annotated) + " " + Names.Identifier(p.Name)));

    private static (ReturnKind Kind, string? ResultType) Return(ITypeSymbol type)
    {
        if (type.SpecialType == SpecialType.System_Void)
        {
            return (ReturnKind.Void, null);
        }

        if (type is INamedTypeSymbol named && Names.Is(named, "System.Threading.Tasks.Task"))
        {
            return named.TypeArguments.Length == 1
                ? (ReturnKind.TaskOfT, Names.Display(named.TypeArguments[0], Names.Annotated))
                : (ReturnKind.Task, null);
        }

        return (ReturnKind.Value, Names.Display(type, Names.Annotated));
    }

    private static AttributeData? Find(ISymbol symbol, string name)
        => symbol.GetAttributes().FirstOrDefault(a => Names.Is(a.AttributeClass, name));

    private static string? Named(AttributeData? attribute, string name)
        => attribute?.NamedArguments.FirstOrDefault(a => a.Key == name).Value.Value as string;
}
