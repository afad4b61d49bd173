; main.scm: the chat. Channels on the left, the open channel in the middle, who is here on the right.
(window name main title (_ "Palaver") (on close sign-out)
  (hbox
    (vbox name side role sidebar
      (label name me role status)
      (label text (_ "Channels"))
      (listbox name channels role navigation (on select open-channel))
      ; Shown and hidden as the user's permissions change (grants, registration); hidden until
      ; known. Named apart from the popups they open, so that setting them never finds a popup.
      (button name open-new-channel text (_ "New channel") visible #f (on click open-new-channel))
      (button name open-register text (_ "Keep my name") visible #f (on click open-register))
      (button name open-send-alert text (_ "Send alert") visible #f (on click open-send-alert))
      (button name sign-out text (_ "Sign out") (on click sign-out)))
    (vbox name talk role content
      (label name topic role heading)
      (button name older role minor text (_ "Older messages") (on click older))
      ; One entry per message: its parts say who wrote it, when, whether it is one's own (it can
      ; be deleted), and whether it is an announcement (someone joined) rather than a message.
      (listbox name messages role transcript max-items 100
        (part author byline) (part time timestamp) (part mine own) (part system announcement)
        (on activate delete-message))
      (button name latest text (_ "Back to the latest") visible #f (on click latest))
      (textbox name message role composer multiline #t max-length 4000 placeholder (_ "Message") (on submit say))
      (button name send role primary text (_ "Send") (on click say)))
    (vbox name people role aside
      (label text (_ "Here now"))
      (listbox name users role roster))))
