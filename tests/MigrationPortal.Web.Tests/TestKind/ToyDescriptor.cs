using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Web.Tests.TestKind;

/// <summary>The toy kind as the portal sees it without calling it: its form, its wording, one toy per pen at a time.</summary>
public sealed class ToyDescriptor : IConnectorDescriptor
{
    public const string KindName = "toy";
    public const string PerPen = "toys-per-pen";

    public string Kind => KindName;

    public string DisplayName => "Toy box";

    public IReadOnlyList<ConnectionField> Fields { get; } =
    [
        new(ConnectionInput.Endpoint, "Toy box address", "Where the toys live, such as toy://nursery.", Required: true),
        new(ConnectionInput.Username, "Keeper name", "Who looks after the toys."),
    ];

    public void ValidateConnection(ConnectionFormInput input, Validation check) =>
        check.Require(input.Endpoint.StartsWith("toy://", StringComparison.Ordinal) && input.Endpoint.Length > "toy://".Length,
            nameof(ConnectionInput.Endpoint), "A toy box address starts with toy://, such as toy://nursery.");

    public SafetyCopyWording SafetyCopy { get; } = new("a photocopy (Toy box)", "Photocopy the toy first", "a photocopy of the toy, shredded after the move");

    public IReadOnlyList<LimitDefinition> Limits { get; } = [new(PerPen, "Toys moving per pen", 1, "A pen holds one moving toy at a time.")];

    public IEnumerable<ResourceDemand> DemandsOf(MoveDemand move, Func<string, int> limit)
    {
        if (!move.Request.Kind.MovesCompute()) yield break;
        if (move.SourceHost is { } source) yield return new(move.Scoped("toy-pen", source), $"toy pen {move.SourceHostName}", 1, limit(PerPen));
        if (move.TargetHost is { } target) yield return new(move.Scoped("toy-pen", target), $"toy pen {move.TargetHostName}", 1, limit(PerPen));
    }
}
