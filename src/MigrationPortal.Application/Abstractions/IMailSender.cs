namespace MigrationPortal.Application.Abstractions;

/// <summary>One plain-text mail to one person.</summary>
public sealed record OutgoingMail(string ToAddress, string ToName, string Subject, string Body);

/// <summary>Sends mail over SMTP (MailKit behind it). Open a session per batch, so one connection carries many mails.</summary>
public interface IMailSender
{
    Task<IMailSession> OpenAsync(CancellationToken ct);
}

public interface IMailSession : IAsyncDisposable
{
    /// <summary>
    /// Sends one mail. Returns false when the server refused this recipient or sender for good (the mail cannot be delivered,
    /// retrying would not help); throws when the server or network failed, so the caller tries again later.
    /// </summary>
    Task<bool> SendAsync(OutgoingMail mail, CancellationToken ct);
}
