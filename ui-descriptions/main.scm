; main.scm: the chat. Channels on the left, the open channel in the middle, who is here on the right.
(window name main title (_ "Palaver") (on close sign-out)
  (hbox
    (vbox name side
      (label name me)
      (label text (_ "Channels"))
      (listbox name channels (on select open-channel))
      ; Shown and hidden as the user's permissions change (grants, registration); hidden until
      ; known. Named apart from the popups they open, so that setting them never finds a popup.
      (button name open-new-channel text (_ "New channel") visible #f (on click open-new-channel))
      (button name open-register text (_ "Keep my name") visible #f (on click open-register))
      (button name open-send-alert text (_ "Send alert") visible #f (on click open-send-alert))
      (button name sign-out text (_ "Sign out") (on click sign-out)))
    (vbox name talk
      (label name topic)
      (button name older text (_ "Older messages") (on click older))
      (listbox name messages max-items 100 (on activate delete-message))   ; one item per message
      (button name latest text (_ "Back to the latest") visible #f (on click latest))
      (textbox name message multiline #t max-length 4000 placeholder (_ "Message") (on submit say))
      (button name send text (_ "Send") (on click say)))
    (vbox name people
      (label text (_ "Here now"))
      (listbox name users))))
