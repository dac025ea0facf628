using System.Collections.Generic;
using System.Linq;
using System.Threading;
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
        if (context.TargetSymbol is not INamedTypeSymbol { TypeKind: TypeKind.Interface, ContainingType: null, IsGenericType: false } type
            || context.Attributes.Length == 0)
        {
            return null;
        }

        var attribute = context.Attributes[0];
        var types = new JsonTypeCollector(context.SemanticModel.Compilation);
        var baseName = Names.WithoutInterfacePrefix(type.Name);
        var members = new List<MethodModel>();

        if (kind == ContractKind.Activities)
        {
            var prefix = Named(attribute, "NamePrefix") ?? baseName;
            foreach (var method in Methods(type))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var activity = Find(method, ActivityAttribute);
                var model = Method(method, MemberKind.Activity, types, type.Name);
                if (model is null || model.Return is not (ReturnKind.Task or ReturnKind.TaskOfT))
                {
                    continue;
                }

                members.Add(model with
                {
                    SwfName = Named(activity, "Name") ?? $"{prefix}.{model.ShortName}",
                    Version = Named(activity, "Version"),
                    TaskList = Named(activity, "TaskList"),
                    ScheduleToStart = Names.SwfDuration(Named(activity, "ScheduleToStart")),
                    StartToClose = Names.SwfDuration(Named(activity, "StartToClose")),
                    ScheduleToClose = Names.SwfDuration(Named(activity, "ScheduleToClose")),
                    Heartbeat = Names.SwfDuration(Named(activity, "Heartbeat")),
                    Description = Named(activity, "Description"),
                    ManualCompletion = activity?.NamedArguments.FirstOrDefault(a => a.Key == "ManualCompletion").Value.Value is true,
                });
            }
        }
        else
        {
            foreach (var member in type.GetMembers())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } method)
                {
                    if (Find(method, ExecuteAttribute) is not null && !members.Any(m => m.Kind == MemberKind.Execute))
                    {
                        var model = Method(method, MemberKind.Execute, types, type.Name);
                        if (model is { Return: ReturnKind.Task or ReturnKind.TaskOfT })
                        {
                            members.Add(model);
                        }
                    }
                    else if (Find(method, SignalAttribute) is { } signal)
                    {
                        var model = Method(method, MemberKind.Signal, types, type.Name);
                        if (model is { Return: ReturnKind.Task or ReturnKind.Void })
                        {
                            members.Add(model with { SwfName = Named(signal, "Name") ?? model.ShortName });
                        }
                    }
                    else if (Find(method, GetStateAttribute) is not null && method.Parameters.Length == 0 && !members.Any(m => m.Kind == MemberKind.GetState))
                    {
                        var model = Method(method, MemberKind.GetState, types, type.Name);
                        if (model is { Return: ReturnKind.Value })
                        {
                            members.Add(model);
                        }
                    }
                }
                else if (member is IPropertySymbol { IsIndexer: false, GetMethod: not null } property
                    && Find(property, GetStateAttribute) is not null
                    && !members.Any(m => m.Kind == MemberKind.GetState))
                {
                    types.Add(property.Type, $"{type.Name}.{property.Name}", property.Locations.FirstOrDefault());
                    members.Add(new MethodModel(MemberKind.GetState, property.Name, property.Name, EquatableArray<ParameterModel>.Empty,
                        ReturnKind.Value, property.Type.ToDisplayString(Names.Annotated), IsProperty: true));
                }
            }
        }

        var ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
        var contract = new ContractModel(kind, ns, type.Name, baseName, type.DeclaredAccessibility == Accessibility.Public, members.ToEquatableArray())
        {
            Version = Named(attribute, "Version") ?? "1.0",
            TaskList = Named(attribute, "TaskList"),
            Description = Named(attribute, "Description"),
            JsonTypes = types.ToArray(),
        };

        if (kind == ContractKind.Activities)
        {
            return contract with
            {
                TaskPriority = attribute.NamedArguments.FirstOrDefault(a => a.Key == "TaskPriority").Value.Value as int? ?? 0,
                ScheduleToStart = Names.SwfDuration(Named(attribute, "ScheduleToStart")),
                StartToClose = Names.SwfDuration(Named(attribute, "StartToClose")),
                ScheduleToClose = Names.SwfDuration(Named(attribute, "ScheduleToClose")),
                Heartbeat = Names.SwfDuration(Named(attribute, "Heartbeat")),
            };
        }

        var execute = members.FirstOrDefault(m => m.Kind == MemberKind.Execute);
        return contract with
        {
            WorkflowName = Named(attribute, "Name") ?? (execute is null ? null : $"{baseName}.{execute.ShortName}"),
            ExecutionStartToClose = Names.SwfDuration(Named(attribute, "ExecutionStartToClose")),
            TaskStartToClose = Names.SwfDuration(Named(attribute, "TaskStartToClose")),
            ChildPolicy = Named(attribute, "ChildPolicy")?.Trim().ToUpperInvariant() switch
            {
                "TERMINATE" => "Terminate",
                "REQUEST_CANCEL" => "RequestCancel",
                "ABANDON" => "Abandon",
                _ => null,
            },
        };
    }

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
                contexts.Add(new UserContextModel(contextType.ToDisplayString(Names.Plain), declared.ToEquatableArray()));
            }
        }

        return contexts.ToEquatableArray();
    }

    private static IEnumerable<IMethodSymbol> Methods(INamedTypeSymbol type)
        => type.GetMembers().OfType<IMethodSymbol>().Where(m => m is { MethodKind: MethodKind.Ordinary, IsStatic: false, IsAbstract: true });

    /// <summary>A method's shape, or null when generated code cannot call it (ref/out/in, generic, pointer parameters).</summary>
    private static MethodModel? Method(IMethodSymbol method, MemberKind kind, JsonTypeCollector types, string contractName)
    {
        if (method.IsGenericMethod || method.IsStatic || method.Parameters.Any(p => p.RefKind != RefKind.None || p.Type.TypeKind == TypeKind.Pointer))
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

            parameters.Add(new ParameterModel(Names.Identifier(parameter.Name), parameter.Type.ToDisplayString(Names.Annotated), isToken));
        }

        var (returnKind, resultType) = Return(method.ReturnType);
        if (resultType is not null)
        {
            var result = returnKind == ReturnKind.TaskOfT ? ((INamedTypeSymbol)method.ReturnType).TypeArguments[0] : method.ReturnType;
            types.Add(result, usedBy, method.Locations.FirstOrDefault());
        }

        return new MethodModel(kind, method.Name, Names.WithoutAsync(method.Name), parameters.ToEquatableArray(), returnKind, resultType, IsProperty: false);
    }

    private static (ReturnKind Kind, string? ResultType) Return(ITypeSymbol type)
    {
        if (type.SpecialType == SpecialType.System_Void)
        {
            return (ReturnKind.Void, null);
        }

        if (type is INamedTypeSymbol named && Names.Is(named, "System.Threading.Tasks.Task"))
        {
            return named.TypeArguments.Length == 1
                ? (ReturnKind.TaskOfT, named.TypeArguments[0].ToDisplayString(Names.Annotated))
                : (ReturnKind.Task, null);
        }

        return (ReturnKind.Value, type.ToDisplayString(Names.Annotated));
    }

    private static AttributeData? Find(ISymbol symbol, string name)
        => symbol.GetAttributes().FirstOrDefault(a => Names.Is(a.AttributeClass, name));

    private static string? Named(AttributeData? attribute, string name)
        => attribute?.NamedArguments.FirstOrDefault(a => a.Key == name).Value.Value as string;
}
