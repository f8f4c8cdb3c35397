namespace MigrationPortal.Domain.Common;

/// <summary>A rule of the domain was broken. The message is written for the person who caused it.</summary>
public class DomainException(string message) : Exception(message);

/// <summary>A state change that the transition table does not allow.</summary>
public sealed class IllegalTransitionException(string from, string to, string entity)
    : DomainException($"{entity} cannot move from {from} to {to}.")
{
    public string From { get; } = from;
    public string To { get; } = to;
}
