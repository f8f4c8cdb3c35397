using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Notifications;
using MimeKit;

namespace MigrationPortal.Infrastructure.Notifications;

/// <summary>
/// SMTP through MailKit. The server's certificate is checked by the platform's normal rules (MailKit's default); there is
/// no switch to trust any certificate. Credentials go to the server only and appear in no log or mail.
/// </summary>
public sealed class MailKitMailSender(IOptions<SmtpOptions> options, ILogger<MailKitMailSender> log) : IMailSender
{
    public async Task<IMailSession> OpenAsync(CancellationToken ct)
    {
        var settings = options.Value;
        if (!settings.IsEnabled) throw new InvalidOperationException("Email is off: Smtp:Host is not set.");
        var client = new SmtpClient();
        try
        {
            await client.ConnectAsync(settings.Host!, settings.Port, settings.Security switch
            {
                SmtpSecurity.None => SecureSocketOptions.None,
                SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
                SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.Auto,
            }, ct);
            if (!string.IsNullOrWhiteSpace(settings.UserName)) await client.AuthenticateAsync(settings.UserName, settings.Password ?? "", ct);
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return new Session(client, MailboxAddress.Parse(settings.From!), log);
    }

    private sealed class Session(SmtpClient client, MailboxAddress from, ILogger log) : IMailSession
    {
        public async Task<bool> SendAsync(OutgoingMail mail, CancellationToken ct)
        {
            MailboxAddress to;
            try
            {
                to = new MailboxAddress(mail.ToName, mail.ToAddress);
            }
            catch (ParseException)
            {
                log.LogWarning("A notification was not sent: the recipient's address is not a valid mail address.");
                return false;
            }

            var message = new MimeMessage();
            message.From.Add(from);
            message.To.Add(to);
            message.Subject = mail.Subject;
            message.Body = new TextPart("plain") { Text = mail.Body };
            try
            {
                await client.SendAsync(message, ct);
                return true;
            }
            catch (SmtpCommandException e) when ((int)e.StatusCode >= 500)
            {
                // A permanent refusal (unknown mailbox, policy): retrying would fail the same way.
                log.LogWarning("The mail server refused a notification permanently: {Status} {ErrorCode}.", (int)e.StatusCode, e.ErrorCode);
                return false;
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (client.IsConnected) await client.DisconnectAsync(true);
            }
            catch (Exception e) when (e is IOException or SmtpProtocolException or OperationCanceledException)
            {
                // The mails were sent; a failed goodbye changes nothing.
            }
            finally
            {
                client.Dispose();
            }
        }
    }
}
