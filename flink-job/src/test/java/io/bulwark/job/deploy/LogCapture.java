package io.bulwark.job.deploy;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects the formatted messages one logger writes at INFO and above while it is open. */
final class LogCapture implements AutoCloseable {

    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final LoggerContext context;
    private final String loggerName;
    private final AbstractAppender appender;

    LogCapture(Class<?> loggerClass) {
        this.loggerName = loggerClass.getName();
        this.context = (LoggerContext) LogManager.getContext(false);
        this.appender = new AbstractAppender("capture-" + loggerName, null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                messages.add(event.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        LoggerConfig config = new LoggerConfig(loggerName, Level.INFO, true);
        config.addAppender(appender, Level.INFO, null);
        context.getConfiguration().addLogger(loggerName, config);
        context.updateLoggers();
    }

    /** The messages logged so far. */
    List<String> messages() {
        return List.copyOf(messages);
    }

    @Override
    public void close() {
        context.getConfiguration().removeLogger(loggerName);
        context.updateLoggers();
        appender.stop();
    }
}
