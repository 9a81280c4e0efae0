import { definePluginType } from 'mikro-orm-plugins/operations';

/** A plugin type: any number of implementations, one chosen by stored status and priority. */
export interface OtpSender {
  send(to: string, code: string): string;
}

export const OtpSenders = definePluginType<OtpSender>('OtpSender', { methods: ['send'], description: 'Sends one-time passwords' });

OtpSenders.register('sms', { send: (to, code) => `sms to ${to}: ${code}` }, { priority: 10 });
OtpSenders.register('email', { send: (to, code) => `email to ${to}: ${code}` }, { priority: 20, status: 'reserve' });
