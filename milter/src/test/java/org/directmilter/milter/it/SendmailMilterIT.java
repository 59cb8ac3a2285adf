package org.directmilter.milter.it;

/** Our milter server behind a real Sendmail 8.17 (F=T): replies and changes as Sendmail applies them. */
class SendmailMilterIT extends MilterBehindMta {

    @Override
    Mta startMta(RunningMilter milter) {
        return SendmailInstance.start(milter.libmilterSocket());
    }
}
